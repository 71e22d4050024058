/**
 * The dashboard's client routes as data: a URL path parses to a `Route` and a `Route`
 * formats back to its path, so links and the address bar always agree. The server
 * answers `index.html` for all of these (see `packages/server/src/routes/dashboard.ts`).
 */
export type Route =
  | { page: 'overview' }
  | { page: 'pipeline'; name: string }
  | { page: 'monitoring'; name: string }
  | { page: 'deployments' }
  | { page: 'incidents' }
  | { page: 'governance' }
  | { page: 'not-found'; path: string };

const TOP = { deployments: 'deployments', incidents: 'incidents', governance: 'governance' } as const;

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { page: 'overview' };
  const [first, second, third, fourth] = parts.map((p) => decodeURIComponent(p));
  if (first === 'pipelines' && second !== undefined && fourth === undefined) {
    if (third === undefined) return { page: 'pipeline', name: second };
    if (third === 'monitoring') return { page: 'monitoring', name: second };
  }
  if (parts.length === 1 && first !== undefined && Object.hasOwn(TOP, first)) return { page: TOP[first as keyof typeof TOP] };
  return { page: 'not-found', path };
}

export function routePath(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'pipeline':
      return `/pipelines/${encodeURIComponent(route.name)}`;
    case 'monitoring':
      return `/pipelines/${encodeURIComponent(route.name)}/monitoring`;
    case 'deployments':
    case 'incidents':
    case 'governance':
      return `/${route.page}`;
    case 'not-found':
      return route.path;
  }
}
