import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';

describe('resolveServerConfig', () => {
  it('uses defaults, then environment, then options', () => {
    const defaults = resolveServerConfig({}, {});
    expect(defaults).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: resolve('.slipway'), examples: true, logLevel: 'info' });
    expect(Object.isFrozen(defaults)).toBe(true);
    const env = { SLIPWAY_PORT: '9000', SLIPWAY_HOST: '0.0.0.0', SLIPWAY_DATA_DIR: '/tmp/x', SLIPWAY_EXAMPLES: 'false', SLIPWAY_MAX_BODY_BYTES: '2048' };
    expect(resolveServerConfig({}, env)).toMatchObject({ port: 9000, host: '0.0.0.0', dataDir: '/tmp/x', examples: false, maxBodyBytes: 2048 });
    expect(resolveServerConfig({ port: 7000, dataDir: '/tmp/y' }, env)).toMatchObject({ port: 7000, dataDir: '/tmp/y' });
  });

  it('reports every bad value at once, naming the variable', () => {
    expect(() => resolveServerConfig({}, { SLIPWAY_PORT: 'eighty', SLIPWAY_LOG_LEVEL: 'loud', SLIPWAY_ADMIN_TOKEN: 'short' })).toThrow(
      /port \(SLIPWAY_PORT\).*logLevel \(SLIPWAY_LOG_LEVEL\)|adminToken \(SLIPWAY_ADMIN_TOKEN\)/,
    );
    try {
      resolveServerConfig({}, { SLIPWAY_PORT: '70000', SLIPWAY_LOG_LEVEL: 'loud' });
    } catch (err) {
      expect((err as { issues: unknown[] }).issues).toHaveLength(2);
    }
  });
});
