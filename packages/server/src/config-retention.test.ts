import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';

describe('prediction log retention config', () => {
  it('defaults to 30 days and 1 000 000 rows per pipeline; env over defaults, options over env', () => {
    expect(resolveServerConfig({}, {})).toMatchObject({ predictionRetentionDays: 30, predictionRetentionRows: 1_000_000 });
    const env = { SLIPWAY_PREDICTION_RETENTION_DAYS: '7', SLIPWAY_PREDICTION_RETENTION_ROWS: '5000' };
    expect(resolveServerConfig({}, env)).toMatchObject({ predictionRetentionDays: 7, predictionRetentionRows: 5000 });
    expect(resolveServerConfig({ predictionRetentionDays: 0.5, predictionRetentionRows: 10 }, env)).toMatchObject({ predictionRetentionDays: 0.5, predictionRetentionRows: 10 });
  });

  it('names the option and its variable for bad values, all at once', () => {
    const env = { SLIPWAY_PREDICTION_RETENTION_DAYS: 'forever', SLIPWAY_PREDICTION_RETENTION_ROWS: '0' };
    expect(() => resolveServerConfig({}, env)).toThrow(/predictionRetentionDays \(SLIPWAY_PREDICTION_RETENTION_DAYS\).*predictionRetentionRows \(SLIPWAY_PREDICTION_RETENTION_ROWS\)/);
  });
});
