import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routePath } from './routes.js';

describe('routes', () => {
  it.each<{ path: string; route: Route }>([
    { path: '/', route: { page: 'overview' } },
    { path: '/pipelines/credit-risk', route: { page: 'pipeline', name: 'credit-risk' } },
    { path: '/pipelines/a%20b/', route: { page: 'pipeline', name: 'a b' } },
    { path: '/pipelines/credit-risk/monitoring', route: { page: 'monitoring', name: 'credit-risk' } },
    { path: '/governance', route: { page: 'governance' } },
    { path: '/incidents', route: { page: 'incidents' } },
    { path: '/deployments', route: { page: 'deployments' } },
    { path: '/nowhere', route: { page: 'not-found', path: '/nowhere' } },
    { path: '/pipelines/a/b/c', route: { page: 'not-found', path: '/pipelines/a/b/c' } },
    { path: '/toString', route: { page: 'not-found', path: '/toString' } },
  ])('$path', ({ path, route }) => {
    expect(parseRoute(path)).toEqual(route);
    if (route.page !== 'not-found') expect(parseRoute(routePath(route))).toEqual(route);
  });
});
