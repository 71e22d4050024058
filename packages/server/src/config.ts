/**
 * Server configuration: defaults → environment (`SLIPWAY_*`) → options (flags), resolved
 * once at start-up into a frozen object that is passed inward. Nothing else reads env.
 */
import { isAbsolute, resolve } from 'node:path';
import { InvalidInputError, parseByteSize, zodIssues } from '@slipway/core';
import { z } from 'zod';

export interface ServerOptions {
  /** TCP port; `0` picks a free one. Default `SLIPWAY_PORT` or 8080. */
  port?: number;
  /** Interface to bind. Default `SLIPWAY_HOST` or `127.0.0.1`. */
  host?: string;
  /** Where the embedded store and artifacts live. Default `SLIPWAY_DATA_DIR` or `./.slipway`. */
  dataDir?: string;
  /** `postgres://…` for a cluster store; default: SQLite in the data directory. */
  databaseUrl?: string;
  /** Push the example pipelines in `examplesDir` and alias them `@production`. Default true. */
  examples?: boolean;
  /** Folder of example packages. Default `./examples`. */
  examplesDir?: string;
  /** Admin token to accept instead of generating one. Default `SLIPWAY_ADMIN_TOKEN`. */
  adminToken?: string;
  /** Largest JSON request body in bytes (413 above it). Default `SLIPWAY_MAX_BODY_BYTES` or 16 MiB. */
  maxBodyBytes?: number;
  /** Largest pushed package in bytes. Default `SLIPWAY_MAX_PACKAGE_BYTES` or 1 GiB. */
  maxPackageBytes?: number;
  /** pino level. Default `SLIPWAY_LOG_LEVEL` or `info`. */
  logLevel?: string;
  /** Memory budget for loaded models, e.g. `8GiB`. Default `SLIPWAY_MODEL_MEMORY` or half the machine's RAM. */
  modelMemory?: string | number;
  /** Worker threads for heavy models. Default `SLIPWAY_WORKER_THREADS` or cores − 1 (at least 1). */
  workerThreads?: number;
}

const MiB = 1024 * 1024;

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  databaseUrl: z.string().min(1).optional(),
  examples: z.boolean(),
  examplesDir: z.string().min(1),
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  maxBodyBytes: z.coerce.number().int().min(1024),
  maxPackageBytes: z.coerce.number().int().min(1024),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  modelMemoryBytes: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const bytes = parseByteSize(v);
      if (bytes === undefined || bytes < 1024 * 1024) ctx.addIssue({ code: 'custom', message: `"${v}" is not a size of at least 1MiB; write e.g. 8GiB or 512MiB` });
      return bytes;
    }),
  workerThreads: z.coerce.number().int().min(1).max(256).optional(),
});

export type ResolvedServerConfig = Readonly<z.infer<typeof schema>>;

const ENV: Record<keyof z.infer<typeof schema>, string> = {
  port: 'SLIPWAY_PORT',
  host: 'SLIPWAY_HOST',
  dataDir: 'SLIPWAY_DATA_DIR',
  databaseUrl: 'SLIPWAY_DATABASE_URL',
  examples: 'SLIPWAY_EXAMPLES',
  examplesDir: 'SLIPWAY_EXAMPLES_DIR',
  adminToken: 'SLIPWAY_ADMIN_TOKEN',
  maxBodyBytes: 'SLIPWAY_MAX_BODY_BYTES',
  maxPackageBytes: 'SLIPWAY_MAX_PACKAGE_BYTES',
  logLevel: 'SLIPWAY_LOG_LEVEL',
  modelMemoryBytes: 'SLIPWAY_MODEL_MEMORY',
  workerThreads: 'SLIPWAY_WORKER_THREADS',
};

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

/** Resolves options over environment over defaults; reports every bad value at once. */
export function resolveServerConfig(options: ServerOptions, env: NodeJS.ProcessEnv): ResolvedServerConfig {
  const fromEnv = (key: keyof typeof ENV): string | undefined => {
    const v = env[ENV[key]];
    return v === undefined || v === '' ? undefined : v;
  };
  const merged = {
    port: options.port ?? fromEnv('port') ?? 8080,
    host: options.host ?? fromEnv('host') ?? '127.0.0.1',
    dataDir: options.dataDir ?? fromEnv('dataDir') ?? '.slipway',
    databaseUrl: options.databaseUrl ?? fromEnv('databaseUrl'),
    examples: options.examples ?? fromEnv('examples') !== 'false',
    examplesDir: options.examplesDir ?? fromEnv('examplesDir') ?? 'examples',
    adminToken: options.adminToken ?? fromEnv('adminToken'),
    maxBodyBytes: options.maxBodyBytes ?? fromEnv('maxBodyBytes') ?? 16 * MiB,
    maxPackageBytes: options.maxPackageBytes ?? fromEnv('maxPackageBytes') ?? 1024 * MiB,
    logLevel: options.logLevel ?? fromEnv('logLevel') ?? 'info',
    modelMemoryBytes: options.modelMemory ?? fromEnv('modelMemoryBytes'),
    workerThreads: options.workerThreads ?? fromEnv('workerThreads'),
  };
  const result = schema.safeParse(merged);
  if (!result.success) {
    // Name the option and the variable that sets it, so either can be fixed.
    throw new InvalidInputError(
      zodIssues(result.error).map((i) => {
        const key = i.path as keyof typeof ENV;
        return { path: ENV[key] ? `${i.path} (${ENV[key]})` : i.path, message: i.message };
      }),
    );
  }
  const c = result.data;
  return Object.freeze({ ...c, dataDir: absolute(c.dataDir), examplesDir: absolute(c.examplesDir) });
}
