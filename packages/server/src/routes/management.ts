/** Management routes: push versions, list pipelines and versions, move aliases. */
import { PACKAGE_CONTENT_TYPE, Permission, type SetAliasRequest, InvalidInputError } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import type { Access } from '../access.js';
import { readPackageTar } from '../package-reader.js';
import type { Registry } from '../registry.js';

type Name = { Params: { name: string } };
type NameAlias = { Params: { name: string; alias: string } };

export interface ManagementRouteOptions {
  registry: Registry;
  access: Access;
  maxPackageBytes: number;
}

export function registerManagementRoutes(app: FastifyInstance, { registry, access, maxPackageBytes }: ManagementRouteOptions): void {
  app.addContentTypeParser([PACKAGE_CONTENT_TYPE, 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: maxPackageBytes }, (_req, body, done) => {
    done(null, body);
  });

  app.post('/v1/pipelines', { bodyLimit: maxPackageBytes }, async (req, reply) => {
    const who = await access.require(req, Permission.push);
    if (!Buffer.isBuffer(req.body)) {
      throw new InvalidInputError([{ path: 'body', message: `must be a tar of the package folder sent as ${PACKAGE_CONTENT_TYPE} (use \`slipway push <dir>\`)` }]);
    }
    const result = await registry.push(await readPackageTar(req.body), who.name);
    void reply.status(result.created ? 201 : 200);
    return result;
  });
  app.get('/v1/pipelines', async () => ({ pipelines: await registry.listPipelines() }));
  app.get<Name>('/v1/pipelines/:name', (req) => registry.getPipeline(req.params.name));
  app.get<Name>('/v1/pipelines/:name/versions', async (req) => ({ versions: await registry.listVersions(req.params.name) }));
  app.get<{ Params: { ref: string } }>('/v1/versions/:ref', (req) => registry.resolve(req.params.ref, 'ref'));
  app.get<Name>('/v1/pipelines/:name/aliases', async (req) => ({ aliases: await registry.listAliases(req.params.name) }));
  app.put<NameAlias & { Body: SetAliasRequest }>('/v1/pipelines/:name/aliases/:alias', async (req) => {
    const who = await access.require(req, Permission.promote);
    const version = (req.body as Partial<SetAliasRequest> | null)?.version;
    if (typeof version !== 'number' && typeof version !== 'string') {
      throw new InvalidInputError([{ path: 'version', message: 'is required: the version to point at, e.g. {"version": "v3"}' }]);
    }
    return registry.setAlias(req.params.name, req.params.alias, version, who.name);
  });
  app.get<NameAlias>('/v1/pipelines/:name/aliases/:alias/history', async (req) => ({
    history: await registry.aliasHistory(req.params.name, req.params.alias),
  }));
}
