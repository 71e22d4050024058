import type { DeploymentView } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { formatDeployment, formatDeployments, parseDeployRef, parseSteps } from './deployments.js';

describe('parseDeployRef', () => {
  it.each<[string, string | undefined, ReturnType<typeof parseDeployRef>]>([
    ['credit-risk@production', undefined, { pipeline: 'credit-risk', target: '@production', environment: 'production' }],
    ['credit-risk@staging', 'production', { pipeline: 'credit-risk', target: '@staging', environment: 'production' }],
    ['credit-risk:v3', 'dev', { pipeline: 'credit-risk', target: 'v3', environment: 'dev' }],
    ['credit-risk', undefined, { pipeline: 'credit-risk', target: undefined, environment: 'production' }],
  ])('%s --env %s', (ref, env, expected) => {
    expect(parseDeployRef(ref, env)).toStrictEqual(expected);
  });
});

describe('parseSteps', () => {
  it('reads percentages and refuses anything else', () => {
    expect(parseSteps('5,25,50,100')).toStrictEqual([5, 25, 50, 100]);
    expect(() => parseSteps('5,x')).toThrow(/percentages from 0 to 100/);
    expect(() => parseSteps('150')).toThrow(/percentages from 0 to 100/);
  });
});

describe('deployment output', () => {
  const view = (overrides: Partial<DeploymentView> = {}): DeploymentView => ({
    pipeline: 'credit-risk',
    environment: 'production',
    target: '@production',
    scaling: { min: 0, max: 4 } as DeploymentView['scaling'],
    serving: null,
    resources: { accelerator: 'cpu' },
    traffic: null,
    rollout: null,
    createdBy: 'admin',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 3,
    state: 'ready',
    message: null,
    replicas: { desired: 2, ready: 2 },
    ...overrides,
  });
  it('says where it serves, its state and replicas', () => {
    expect(formatDeployment(view())).toBe('credit-risk in production: @production → v3, ready, replicas 2/2 (min 0, max 4)');
    expect(formatDeployment(view({ state: 'unschedulable', message: 'unschedulable: needs gpu, none available', replicas: { desired: 0, ready: 0 } }))).toBe(
      'credit-risk in production: @production → v3, unschedulable (unschedulable: needs gpu, none available), replicas 0/0 (min 0, max 4)',
    );
  });
  it('lists deployments as a table, or says how to create one', () => {
    expect(formatDeployments([])).toStrictEqual(['no deployments; create one with `slipway deploy <name>@production --env production`']);
    const rows = formatDeployments([view()]);
    expect(rows[0]).toMatch(/^PIPELINE\s+ENV\s+TARGET/);
    expect(rows[1]).toMatch(/^credit-risk\s+production\s+@production\s+v3\s+ready\s+2\/2\s+–$/);
  });
});
