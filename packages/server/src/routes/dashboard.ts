/**
 * Serves the web dashboard (the static build in `packages/dashboard/dist`) from the
 * platform itself: hashed assets under `/assets/`, and `index.html` for `/` and for every
 * client route, so reloading `/pipelines/credit-risk` opens that page. These files hold
 * no data and are public; everything the dashboard shows comes from the API with the
 * signed-in token. API paths never fall back to the app: an unknown `/v1/...` still
 * answers the JSON 404.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { ErrorCode, SlipwayError } from '@slipway/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The dashboard's build output; the same relative path from `src/routes` and `dist/routes`. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

export interface DashboardRouteOptions {
  /** The folder `vite build` wrote. Default `DEFAULT_DASHBOARD_DIR`. */
  dir?: string;
}

// Paths the API owns (or that name a file): a miss there is a real 404, not a client route.
const NOT_CLIENT_ROUTES = ['/v1', '/v2', '/metrics', '/openapi.json', '/assets'];
const isClientRoute = (path: string) => !NOT_CLIENT_ROUTES.some((p) => path === p || path.startsWith(`${p}/`)) && !/\.[A-Za-z0-9]+$/.test(path);

export function registerDashboardRoutes(app: FastifyInstance, options: DashboardRouteOptions = {}): void {
  const dir = options.dir ?? DEFAULT_DASHBOARD_DIR;
  // Asset names carry a content hash, so they can be cached for good.
  void app.register(fastifyStatic, { root: join(dir, 'assets'), prefix: '/assets/', immutable: true, maxAge: '365d', index: false, decorateReply: false });

  async function sendIndex(reply: FastifyReply) {
    const html = await readFile(join(dir, 'index.html')).catch((err: unknown) => {
      throw new SlipwayError(ErrorCode.unavailable, `the dashboard is not built (no ${join(dir, 'index.html')}); run \`npm run build\` and reload. The API works without it, see /openapi.json`, { cause: err });
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  }

  app.get('/', (_req, reply) => sendIndex(reply));
  app.get('/*', (req: FastifyRequest, reply) => (isClientRoute(req.url.split('?')[0] ?? '/') ? sendIndex(reply) : reply.callNotFound()));
}
