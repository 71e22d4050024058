import { describe, expect, it } from 'vitest';
import { CREDIT_RISK_EXAMPLE_RECORD, formatServerBanner } from './server.js';

const running = {
  url: 'http://127.0.0.1:8080',
  close: () => Promise.resolve(),
  tokenFile: '/home/ada/slipway/.slipway/admin-token',
  examples: [
    { ref: 'credit-risk@staging', created: true },
    { ref: 'sensor-mlp@production', created: false },
  ],
};

describe('formatServerBanner', () => {
  it('prints the URL, examples and calls to paste, without the token when it is not new', () => {
    const text = formatServerBanner(running, '/home/ada/slipway', {}).join('\n');
    expect(text).toContain('Slipway is running at http://127.0.0.1:8080');
    expect(text).toContain('  credit-risk@staging\n  sensor-mlp@production (already there)');
    expect(text).not.toContain('admin token');
    expect(text).toContain('curl -s http://127.0.0.1:8080/v1/runs \\\n    -H "Authorization: Bearer $(cat .slipway/admin-token)" \\');
    expect(text).toContain(`-d '${JSON.stringify({ pipeline: 'credit-risk@staging', inputs: CREDIT_RISK_EXAMPLE_RECORD })}'`);
    // Run from the same folder, the CLI finds the server and the token by itself.
    expect(text).toContain(`\n  npx slipway run credit-risk@staging --input '${JSON.stringify(CREDIT_RISK_EXAMPLE_RECORD)}'`);
  });

  it('prints a new admin token once, saying where it is saved', () => {
    const text = formatServerBanner({ ...running, newAdminToken: 'slw_secret' }, '/home/ada/slipway', {}).join('\n');
    expect(text).toContain('admin token (printed only this once; saved to .slipway/admin-token, where the CLI finds it):\n  slw_secret');
  });

  it('adds --server and the token to the CLI call when the defaults would not find them', () => {
    const text = formatServerBanner({ ...running, url: 'http://127.0.0.1:9000', tokenFile: '/var/lib/slipway data/admin-token' }, '/home/ada', {}).join('\n');
    expect(text).toContain(
      `SLIPWAY_TOKEN=$(cat '/var/lib/slipway data/admin-token') npx slipway run credit-risk@staging --server http://127.0.0.1:9000 --input`,
    );
  });

  it('leaves out the example call when credit-risk is not deployed', () => {
    const text = formatServerBanner({ ...running, examples: [] }, '/home/ada/slipway', {}).join('\n');
    expect(text).not.toContain('curl');
    expect(text).not.toContain('example pipelines');
    expect(text).toContain('push your own');
  });
});
