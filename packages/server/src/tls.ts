/**
 * TLS for the server: `SLIPWAY_TLS_CERT` and `SLIPWAY_TLS_KEY` (or `--tls-cert` /
 * `--tls-key`) name PEM files; with both, the server speaks HTTPS only and sends HSTS.
 * The files are read once at start, so a missing or unreadable one stops the start with
 * its name instead of failing the first handshake.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { ErrorCode, InvalidInputError, SlipwayError } from '@slipway/core';

export interface TlsFiles {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** Reads the certificate and key; undefined when neither is configured. */
export async function loadTls({ tlsCert, tlsKey }: TlsFiles): Promise<TlsMaterial | undefined> {
  if (tlsCert === undefined && tlsKey === undefined) return undefined;
  if (tlsCert === undefined || tlsKey === undefined) {
    const missing = tlsCert === undefined ? 'tlsCert (SLIPWAY_TLS_CERT)' : 'tlsKey (SLIPWAY_TLS_KEY)';
    throw new InvalidInputError([{ path: missing, message: 'is required with the other TLS file: give both the certificate and its key, or neither for plain HTTP' }]);
  }
  const read = (path: string, what: string) =>
    readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new SlipwayError(ErrorCode.invalidInput, `cannot read the TLS ${what} file ${path} (${err.code ?? err.message}); check SLIPWAY_TLS_${what === 'certificate' ? 'CERT' : 'KEY'}`, { cause: err });
    });
  const material = { cert: await read(tlsCert, 'certificate'), key: await read(tlsKey, 'key') };
  try {
    createSecureContext(material);
  } catch (err) {
    throw new SlipwayError(ErrorCode.invalidInput, `the TLS certificate ${tlsCert} and key ${tlsKey} are not a usable PEM pair (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  return material;
}
