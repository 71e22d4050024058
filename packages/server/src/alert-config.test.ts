import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';

describe('alert settings of the server config', () => {
  it('evaluates every 30 s by default; the environment and flags change it', () => {
    expect(resolveServerConfig({}, {}).alertIntervalSeconds).toBe(30);
    expect(resolveServerConfig({}, { SLIPWAY_ALERT_INTERVAL_SECONDS: '5', SLIPWAY_EXTERNAL_URL: 'https://slipway.example.com' })).toMatchObject({ alertIntervalSeconds: 5, externalUrl: 'https://slipway.example.com' });
    expect(resolveServerConfig({ alertIntervalSeconds: 0 }, { SLIPWAY_ALERT_INTERVAL_SECONDS: '5' }).alertIntervalSeconds).toBe(0);
  });

  it('refuses a negative interval and a URL that is not http(s), naming each', () => {
    expect(() => resolveServerConfig({}, { SLIPWAY_ALERT_INTERVAL_SECONDS: '-1', SLIPWAY_EXTERNAL_URL: 'ftp://x' })).toThrow(/alertIntervalSeconds.*externalUrl|externalUrl.*alertIntervalSeconds/s);
  });
});
