/**
 * Which callback addresses a run may POST to (SSRF guard). A callback URL is checked at
 * submit and its host resolved again on every delivery, with every address it resolves
 * to checked: loopback, private, link-local (cloud metadata at 169.254.169.254) and other
 * special ranges are refused unless an allow-list (`SLIPWAY_CALLBACK_ALLOW`) names them.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, type LookupFunction, isIP } from 'node:net';
import { type FieldIssue, InvalidInputError } from '@slipway/core';

/** Ranges refused by default: not the public internet. */
export const DISALLOWED_RANGES: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** Parses `10.0.0.0/8,127.0.0.1/32,::1/128` (an address without a prefix is one host); throws naming the bad entry. */
export function parseCidrList(text: string, field: string): string[] {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const issues: FieldIssue[] = [];
  const list: string[] = [];
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > max || (prefix !== undefined && !/^\d+$/.test(prefix))) {
      issues.push({ path: field, message: `"${entry}" is not an address or CIDR range; write e.g. 10.0.0.0/8 or 127.0.0.1` });
    } else list.push(`${address}/${bits}`);
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  return list;
}

function blockListOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = '', bits] = range.split('/');
    list.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** `::ffff:10.0.0.1` is 10.0.0.1 to the network; judge it as that. */
function unmapped(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return v4 ?? address;
}

export interface CallbackGuard {
  /** True when a POST to this IP address is allowed. */
  allows(address: string): boolean;
  /** Checks a callback URL and every address its host resolves to; throws `invalid_input` naming `field`. */
  check(url: string, field: string): Promise<URL>;
  /** A `lookup` for node:http that refuses disallowed addresses, so a delivery connects only where the check passed. */
  lookup: LookupFunction;
}

export interface CallbackGuardOptions {
  /** CIDR ranges allowed even inside the disallowed ones (`SLIPWAY_CALLBACK_ALLOW`). Default none. */
  allow?: readonly string[];
  /** DNS resolution; default the system resolver. Tests pass their own. */
  resolve?: (host: string) => Promise<string[]>;
}

const systemResolve = async (host: string) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

export function createCallbackGuard({ allow = [], resolve = systemResolve }: CallbackGuardOptions = {}): CallbackGuard {
  const denied = blockListOf(DISALLOWED_RANGES);
  const allowed = blockListOf(allow);
  const allows = (raw: string): boolean => {
    const address = unmapped(raw);
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) return false;
    return allowed.check(address, type) || !denied.check(address, type);
  };
  const refusal = (address: string) =>
    `resolves to ${address}, a loopback, private, link-local or metadata address; callbacks go to public addresses unless SLIPWAY_CALLBACK_ALLOW lists the range (e.g. ${address}/32)`;

  async function addressesOf(host: string): Promise<string[]> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    return isIP(bare) !== 0 ? [bare] : resolve(bare);
  }

  return {
    allows,

    async check(text, field) {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new InvalidInputError([{ path: field, message: `"${text}" is not a URL; give an absolute http(s) URL such as https://example.com/hooks/runs` }]);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new InvalidInputError([{ path: field, message: `scheme "${url.protocol}" is not allowed; use http: or https:` }]);
      }
      if (url.username !== '' || url.password !== '') {
        throw new InvalidInputError([{ path: field, message: 'must not carry credentials; the callback is signed instead (x-slipway-signature)' }]);
      }
      let addresses: string[];
      try {
        addresses = await addressesOf(url.hostname);
      } catch (error) {
        throw new InvalidInputError([{ path: field, message: `host "${url.hostname}" does not resolve; check the URL` }], { cause: error });
      }
      const bad = addresses.find((a) => !allows(a));
      if (bad !== undefined || addresses.length === 0) throw new InvalidInputError([{ path: field, message: refusal(bad ?? 'nothing') }]);
      return url;
    },

    lookup: (hostname, options, callback) => {
      addressesOf(hostname).then(
        (addresses) => {
          const bad = addresses.find((a) => !allows(a));
          if (bad !== undefined || addresses.length === 0) return callback(new Error(`callback host ${hostname} ${refusal(bad ?? 'nothing')}`), '');
          const first = addresses[0] ?? '';
          if (options.all === true) return callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
          return callback(null, first, isIP(first));
        },
        (error: Error) => callback(error, ''),
      );
    },
  };
}
