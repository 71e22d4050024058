/**
 * HTTP request metrics: count and latency per route and status, on the engine's registry
 * so `/metrics` shows them next to the serving figures. Labelled by route pattern
 * (`/v2/models/:m/infer`), never by raw URL, so cardinality stays bounded.
 */
import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

export function installHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'slipway_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status, with their latency',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Children by route, method and status, resolved once: hashing labels per request costs.
  const children = new Map<string, Histogram.Internal<'route' | 'method' | 'status'>>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let child = children.get(key);
    if (child === undefined) children.set(key, (child = duration.labels({ route, method: req.method, status: String(reply.statusCode) })));
    child.observe(reply.elapsedTime / 1000);
    done();
  });
}
