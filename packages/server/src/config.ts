/**
 * Server configuration: defaults → environment (`SLIPWAY_*`) → options (flags), resolved
 * once at start-up into a frozen object that is passed inward. Nothing else reads env.
 */
import { isAbsolute, resolve } from 'node:path';
import { InvalidInputError, parseByteSize, zodIssues } from '@slipway/core';
import { z } from 'zod';
import { parseCidrList } from './run-callback-guard.js';

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
  /** PEM certificate file; with `tlsKey`, the server speaks HTTPS only. Default `SLIPWAY_TLS_CERT`. */
  tlsCert?: string;
  /** PEM private key file for `tlsCert`. Default `SLIPWAY_TLS_KEY`. */
  tlsKey?: string;
  /** Serve `/metrics` without a token. Default `SLIPWAY_PUBLIC_METRICS` or true. */
  publicMetrics?: boolean;
  /** Requests per second per token (burst: one second's worth); 0 is no limit. Default `SLIPWAY_RATE_LIMIT_TOKEN` or 0. */
  tokenRateLimit?: number;
  /** Runs per second per pipeline; 0 is no limit. Default `SLIPWAY_RATE_LIMIT_PIPELINE` or 0. */
  pipelineRateLimit?: number;
  /** OIDC issuer (`iss`); with an audience and a JWKS, bearer JWTs are accepted. Default `SLIPWAY_OIDC_ISSUER`. */
  oidcIssuer?: string;
  /** OIDC audience (`aud`). Default `SLIPWAY_OIDC_AUDIENCE`. */
  oidcAudience?: string;
  /** JWKS URL of the identity provider. Default `SLIPWAY_OIDC_JWKS_URL`. */
  oidcJwksUrl?: string;
  /** JWKS file instead of a URL. Default `SLIPWAY_OIDC_JWKS_FILE`. */
  oidcJwksFile?: string;
  /** Claim naming the user. Default `SLIPWAY_OIDC_USER_CLAIM` or `sub`. */
  oidcUserClaim?: string;
  /** Claim listing `project:role` entries. Default `SLIPWAY_OIDC_ROLES_CLAIM` or `slipway_roles`. */
  oidcRolesClaim?: string;
  /** HMAC key for run callbacks. Default `SLIPWAY_CALLBACK_SECRET`, else generated once into `<dataDir>/callback-secret`. */
  callbackSecret?: string;
  /** CIDR ranges callbacks may reach although private or loopback, comma-separated. Default `SLIPWAY_CALLBACK_ALLOW` or none. */
  callbackAllow?: string;
  /** Async runs executing at once. Default `SLIPWAY_ASYNC_RUN_CONCURRENCY` or 4. */
  asyncRunConcurrency?: number;
  /** Largest inputs or outputs kept in a run record, e.g. `1MiB`. Default `SLIPWAY_RUN_RECORD_MAX_BYTES` or 1 MiB. */
  runRecordMaxBytes?: string | number;
  /** File holding the base64 master key that encrypts artifacts and secrets at rest. Default `SLIPWAY_MASTER_KEY_FILE`. */
  masterKeyFile?: string;
  /** The base64 master key itself (prefer the file). Default `SLIPWAY_MASTER_KEY`; without either, nothing is encrypted. */
  masterKey?: string;
  /** Chromium for PDF compliance reports. Default `SLIPWAY_CHROMIUM` or `/usr/bin/chromium`. */
  chromiumPath?: string;
  /** Days the prediction log (with labels, KPIs, operational metrics) is kept. Default `SLIPWAY_PREDICTION_RETENTION_DAYS` or 30. */
  predictionRetentionDays?: number;
  /** Most logged predictions kept per pipeline. Default `SLIPWAY_PREDICTION_RETENTION_ROWS` or 1 000 000. */
  predictionRetentionRows?: number;
  /** Seconds between evaluations of every alert rule; 0 evaluates only on request. Default `SLIPWAY_ALERT_INTERVAL_SECONDS` or 30. */
  alertIntervalSeconds?: number;
  /** The server's public URL, for links in notifications. Default `SLIPWAY_EXTERNAL_URL` or none. */
  externalUrl?: string;
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
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  publicMetrics: z.boolean(),
  tokenRateLimit: z.coerce.number().min(0).max(1_000_000),
  pipelineRateLimit: z.coerce.number().min(0).max(1_000_000),
  oidcIssuer: z.string().min(1).optional(),
  oidcAudience: z.string().min(1).optional(),
  oidcJwksUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  oidcJwksFile: z.string().min(1).optional(),
  oidcUserClaim: z.string().min(1).optional(),
  oidcRolesClaim: z.string().min(1).optional(),
  callbackSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  callbackAllow: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return v === undefined ? [] : parseCidrList(v, 'callbackAllow');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message.replace(/^callbackAllow: /, '') : String(error) });
        return [];
      }
    }),
  asyncRunConcurrency: z.coerce.number().int().min(1).max(256),
  masterKeyFile: z.string().min(1).optional(),
  masterKey: z.string().min(1).optional(),
  chromiumPath: z.string().min(1).optional(),
  predictionRetentionDays: z.coerce.number().min(1 / 24, 'must be at least 1/24 (one hour)').max(36_500),
  predictionRetentionRows: z.coerce.number().int().min(1).max(1_000_000_000),
  alertIntervalSeconds: z.coerce.number().min(0).max(86_400),
  externalUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  runRecordMaxBytes: z.union([z.string(), z.number()]).transform((v, ctx) => {
    const bytes = parseByteSize(v);
    if (bytes === undefined || bytes < 1) ctx.addIssue({ code: 'custom', message: `"${v}" is not a size; write e.g. 1MiB or 65536` });
    return bytes ?? 0;
  }),
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
  tlsCert: 'SLIPWAY_TLS_CERT',
  tlsKey: 'SLIPWAY_TLS_KEY',
  publicMetrics: 'SLIPWAY_PUBLIC_METRICS',
  tokenRateLimit: 'SLIPWAY_RATE_LIMIT_TOKEN',
  pipelineRateLimit: 'SLIPWAY_RATE_LIMIT_PIPELINE',
  oidcIssuer: 'SLIPWAY_OIDC_ISSUER',
  oidcAudience: 'SLIPWAY_OIDC_AUDIENCE',
  oidcJwksUrl: 'SLIPWAY_OIDC_JWKS_URL',
  oidcJwksFile: 'SLIPWAY_OIDC_JWKS_FILE',
  oidcUserClaim: 'SLIPWAY_OIDC_USER_CLAIM',
  oidcRolesClaim: 'SLIPWAY_OIDC_ROLES_CLAIM',
  callbackSecret: 'SLIPWAY_CALLBACK_SECRET',
  callbackAllow: 'SLIPWAY_CALLBACK_ALLOW',
  asyncRunConcurrency: 'SLIPWAY_ASYNC_RUN_CONCURRENCY',
  runRecordMaxBytes: 'SLIPWAY_RUN_RECORD_MAX_BYTES',
  masterKeyFile: 'SLIPWAY_MASTER_KEY_FILE',
  masterKey: 'SLIPWAY_MASTER_KEY',
  chromiumPath: 'SLIPWAY_CHROMIUM',
  predictionRetentionDays: 'SLIPWAY_PREDICTION_RETENTION_DAYS',
  predictionRetentionRows: 'SLIPWAY_PREDICTION_RETENTION_ROWS',
  alertIntervalSeconds: 'SLIPWAY_ALERT_INTERVAL_SECONDS',
  externalUrl: 'SLIPWAY_EXTERNAL_URL',
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
    tlsCert: options.tlsCert ?? fromEnv('tlsCert'),
    tlsKey: options.tlsKey ?? fromEnv('tlsKey'),
    publicMetrics: options.publicMetrics ?? fromEnv('publicMetrics') !== 'false',
    tokenRateLimit: options.tokenRateLimit ?? fromEnv('tokenRateLimit') ?? 0,
    pipelineRateLimit: options.pipelineRateLimit ?? fromEnv('pipelineRateLimit') ?? 0,
    oidcIssuer: options.oidcIssuer ?? fromEnv('oidcIssuer'),
    oidcAudience: options.oidcAudience ?? fromEnv('oidcAudience'),
    oidcJwksUrl: options.oidcJwksUrl ?? fromEnv('oidcJwksUrl'),
    oidcJwksFile: options.oidcJwksFile ?? fromEnv('oidcJwksFile'),
    oidcUserClaim: options.oidcUserClaim ?? fromEnv('oidcUserClaim'),
    oidcRolesClaim: options.oidcRolesClaim ?? fromEnv('oidcRolesClaim'),
    callbackSecret: options.callbackSecret ?? fromEnv('callbackSecret'),
    callbackAllow: options.callbackAllow ?? fromEnv('callbackAllow'),
    asyncRunConcurrency: options.asyncRunConcurrency ?? fromEnv('asyncRunConcurrency') ?? 4,
    runRecordMaxBytes: options.runRecordMaxBytes ?? fromEnv('runRecordMaxBytes') ?? '1MiB',
    masterKeyFile: options.masterKeyFile ?? fromEnv('masterKeyFile'),
    masterKey: options.masterKey ?? fromEnv('masterKey'),
    chromiumPath: options.chromiumPath ?? fromEnv('chromiumPath'),
    predictionRetentionDays: options.predictionRetentionDays ?? fromEnv('predictionRetentionDays') ?? 30,
    predictionRetentionRows: options.predictionRetentionRows ?? fromEnv('predictionRetentionRows') ?? 1_000_000,
    alertIntervalSeconds: options.alertIntervalSeconds ?? fromEnv('alertIntervalSeconds') ?? 30,
    externalUrl: options.externalUrl ?? fromEnv('externalUrl'),
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
