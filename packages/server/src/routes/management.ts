/** Management routes: push versions, list pipelines and versions, move aliases. */
import { MANIFEST_FILE, PACKAGE_CONTENT_TYPE, Permission, type SetAliasRequest, InvalidInputError, parseManifest } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import type { Access } from '../access.js';
import { type Audit, digestOf } from '../audit.js';
import { type PackageFiles, readPackageTar } from '../package-reader.js';
import type { Registry } from '../registry.js';

type Name = { Params: { name: string } };
type NameAlias = { Params: { name: string; alias: string } };

export interface ManagementRouteOptions {
  registry: Registry;
  access: Access;
  /** Told what an alias pointed at before a move (the audit event's before digest). */
  audit?: Audit;
  maxPackageBytes: number;
}

/** The pipeline a package names, when its manifest parses (else the push fails on it later, with every issue). */
function pipelineOfPackage(files: PackageFiles): string | undefined {
  const manifest = files.get(MANIFEST_FILE);
  try {
    return manifest === undefined ? undefined : parseManifest(Buffer.from(manifest).toString('utf8')).name;
  } catch {
    return undefined;
  }
}

export function registerManagementRoutes(app: FastifyInstance, { registry, access, audit, maxPackageBytes }: ManagementRouteOptions): void {
  app.addContentTypeParser([PACKAGE_CONTENT_TYPE, 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: maxPackageBytes }, (_req, body, done) => {
    done(null, body);
  });

  app.post('/v1/pipelines', { bodyLimit: maxPackageBytes }, async (req, reply) => {
    // A new pipeline lands in `?project=` or the token's project; an existing one stays where it is.
    const project = await access.pushProject(req, await access.authenticate(req));
    const who = await access.require(req, Permission.push, { project });
    if (!Buffer.isBuffer(req.body)) {
      throw new InvalidInputError([{ path: 'body', message: `must be a tar of the package folder sent as ${PACKAGE_CONTENT_TYPE} (use \`slipway push <dir>\`)` }]);
    }
    const files = await readPackageTar(req.body);
    const pipeline = pipelineOfPackage(files);
    if (pipeline !== undefined) await access.require(req, Permission.push, { pipeline });
    const result = await registry.push(files, who.name);
    if (result.created && result.version.version === 1) await access.placePipeline(result.version.pipeline, project);
    void reply.status(result.created ? 201 : 200);
    return result;
  });
  app.get('/v1/pipelines', async (req) => {
    const who = await access.require(req, Permission.read);
    return { pipelines: await access.visible(who, await registry.listPipelines(), (p) => p.name) };
  });
  app.get<Name>('/v1/pipelines/:name', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.name });
    return registry.getPipeline(req.params.name);
  });
  app.get<Name>('/v1/pipelines/:name/versions', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.name });
    return { versions: await registry.listVersions(req.params.name) };
  });
  app.get<{ Params: { ref: string } }>('/v1/versions/:ref', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.ref });
    return registry.resolve(req.params.ref, 'ref');
  });
  app.get<Name>('/v1/pipelines/:name/aliases', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.name });
    return { aliases: await registry.listAliases(req.params.name) };
  });
  app.put<NameAlias & { Body: SetAliasRequest }>('/v1/pipelines/:name/aliases/:alias', async (req) => {
    const who = await access.require(req, Permission.promote, { pipeline: req.params.name });
    const version = (req.body as Partial<SetAliasRequest> | null)?.version;
    if (typeof version !== 'number' && typeof version !== 'string') {
      throw new InvalidInputError([{ path: 'version', message: 'is required: the version to point at, e.g. {"version": "v3"}' }]);
    }
    if (audit !== undefined) {
      const before = (await registry.listAliases(req.params.name)).find((a) => a.alias === req.params.alias);
      if (before !== undefined) audit.state(req).beforeDigest = digestOf(before);
    }
    return registry.setAlias(req.params.name, req.params.alias, version, who.name);
  });
  app.get<NameAlias>('/v1/pipelines/:name/aliases/:alias/history', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.name });
    return { history: await registry.aliasHistory(req.params.name, req.params.alias) };
  });
}
