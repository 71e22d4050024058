import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { parseDeploymentRequest, parseRolloutRequest } from './deployment.js';

function issues(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('parseDeploymentRequest', () => {
  it('fills the defaults', () => {
    const d = parseDeploymentRequest({ pipeline: 'credit-risk', environment: 'production' });
    expect(d.scaling).toMatchObject({ min: 1, max: 1, targetConcurrency: 4, stableWindowSeconds: 60, panicWindowSeconds: 6, idleTimeoutSeconds: 300 });
    expect(d.resources).toStrictEqual({ accelerator: 'cpu' });
    expect(d.target).toBeUndefined();
  });

  it('reads sizes', () => {
    expect(parseDeploymentRequest({ pipeline: 'p', environment: 'dev', resources: { accelerator: 'gpu', gpuMemory: '4GiB', memory: 1024 } }).resources).toStrictEqual({ accelerator: 'gpu', gpuMemory: 4 * 2 ** 30, memory: 1024 });
  });

  it.each<[string, unknown, string[]]>([
    ['min > max', { scaling: { min: 3, max: 2 } }, ['scaling.max: (2) must be ≥ scaling.min (3)']],
    ['negative weight and a bad sum', { traffic: [{ version: 1, weight: -10 }, { version: 2, weight: 100 }] }, ['traffic[0].weight: (-10) must be ≥ 0', 'traffic: weights must sum to 100, got 90']],
    ['weights not summing to 100', { traffic: [{ version: 1, weight: 50 }, { version: 2, weight: 40 }] }, ['traffic: weights must sum to 100, got 90']],
    ['a version twice', { traffic: [{ version: 1, weight: 50 }, { version: 1, weight: 50 }] }, ['traffic[1].version: v1 is listed twice']],
    ['a bad environment name', { environment: 'Prod!' }, ['environment: must be lowercase letters, digits and dashes, starting with a letter (e.g. "staging-eu")']],
    ['a bad target', { target: 'latest' }, ['target: must be @alias (follows the alias) or vN (a fixed version)']],
    ['a bad size', { resources: { memory: 'lots' } }, ['resources.memory: must be a size such as 512MiB or 8GiB, got "lots"']],
    ['an unknown accelerator', { resources: { accelerator: 'tpu' } }, ['resources.accelerator: Invalid option: expected one of "cpu"|"gpu"']],
    ['an unknown field', { replicas: 3 }, ['(root): Unrecognized key: "replicas"']],
  ])('reports %s', (_, extra, expected) => {
    const got = issues(() => parseDeploymentRequest({ pipeline: 'p', environment: 'production', ...(extra as object) }));
    expect(got.map((g) => g.replace(/^: /, '(root): '))).toStrictEqual(expected);
  });

  it('reports every problem at once', () => {
    expect(issues(() => parseDeploymentRequest({ pipeline: '', environment: 'X', scaling: { min: -1, max: 0 } }))).toHaveLength(4);
  });
});

describe('parseRolloutRequest', () => {
  it('defaults to a canary of 5, 25, 50, 100 % every 10 minutes', () => {
    expect(parseRolloutRequest({ candidate: 'v4' })).toMatchObject({ strategy: 'canary', candidate: 'v4', steps: [5, 25, 50, 100], intervalSeconds: 600 });
  });
  it.each<[string, unknown, string[]]>([
    ['steps that do not grow', { candidate: 2, steps: [5, 5] }, ['steps[1]: (5) must be larger than the step before it (5)']],
    ['a candidate that is not a version', { candidate: 'latest' }, ['candidate: must be a version: v4 or 4']],
    ['an A/B weight over 100', { candidate: 2, strategy: 'ab', candidateWeight: 120 }, ['candidateWeight: (120) must be from 0 to 100']],
  ])('reports %s', (_, body, expected) => {
    expect(issues(() => parseRolloutRequest(body))).toEqual(expect.arrayContaining(expected));
  });
});
