/**
 * The registry service: turns pushed packages into immutable, content-addressed versions
 * with lineage, moves aliases (keeping their history) and resolves references. Resolved
 * references are cached in memory and dropped on every change made through this service.
 */
import { createHash } from 'node:crypto';
import {
  type AliasEvent,
  type AliasRecord,
  type ArtifactRef,
  type ArtifactStore,
  InvalidPackageError,
  MANIFEST_FILE,
  type Manifest,
  type ModelSignature,
  type MetadataStore,
  type ModelRuntime,
  type PipelineRef,
  PipelineNotFoundError,
  type PipelineSummary,
  type PushResponse,
  type VersionRecord,
  assertAliasName,
  assertPipelineName,
  formatRef,
  formatVersionRef,
  parseManifest,
  parsePipelineRef,
  parseVersion,
} from '@slipway/core';
import type { PackageFiles } from './package-reader.js';
import { checkManifestAgainstSignature } from './package-validation.js';

/**
 * Work a feature adds to every push (reference profile, policy evaluation…). `prepare`
 * runs after the package is validated and before anything is written: throwing
 * `InvalidPackageError` refuses the push. What it returns runs once the version exists
 * (also when an identical push returns the existing version, so it must be idempotent).
 */
export interface PushExtension {
  prepare(pkg: { files: PackageFiles; manifest: Manifest; signature: ModelSignature; model: Uint8Array }): Promise<((version: VersionRecord) => Promise<void>) | undefined>;
}

/**
 * A check before a version starts serving an environment: an alias move (the alias name
 * is the environment, `credit-risk@production` → `production`) or a deployment. Policies
 * and approvals throw here to refuse it, naming every failed rule and the fix.
 */
export type PromotionGate = (input: { record: VersionRecord; environment: string; actor: string; via: 'alias' | 'deployment' }) => Promise<void>;

export interface RegistryDeps {
  store: MetadataStore;
  artifacts: ArtifactStore;
  runtime: ModelRuntime;
  /** Run in order on every push; see `PushExtension`. */
  pushExtensions?: readonly PushExtension[];
  /** Checked in order before an alias moves; the first that throws stops the move. */
  promotionGates?: readonly PromotionGate[];
  /** Runs after the gates pass and before the alias moves (loading and warming the target); a failure stops the move. */
  beforeAliasMove?: (record: VersionRecord) => Promise<unknown>;
}

export type Registry = ReturnType<typeof createRegistry>;

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** JSON with sorted keys, so equal content always hashes equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

export function createRegistry({ store, artifacts, runtime, beforeAliasMove, pushExtensions = [], promotionGates = [] }: RegistryDeps) {
  const resolved = new Map<string, VersionRecord>();
  const listeners = new Set<(pipeline: string) => void>();

  function changed(pipeline: string): void {
    resolved.clear();
    for (const l of listeners) l(pipeline);
  }

  async function push(files: PackageFiles, actor: string): Promise<PushResponse> {
    const manifestBytes = files.get(MANIFEST_FILE);
    if (manifestBytes === undefined) {
      throw new InvalidPackageError([{ path: MANIFEST_FILE, message: 'is missing at the package root; create one with `slipway init`' }]);
    }
    const manifest = parseManifest(Buffer.from(manifestBytes).toString('utf8'));
    const model = files.get(manifest.model);
    if (model === undefined) {
      throw new InvalidPackageError([
        { path: `${MANIFEST_FILE}: model`, message: `"${manifest.model}" is not in the package; its files are ${[...files.keys()].sort().join(', ')}` },
      ]);
    }
    const instance = await runtime.load(model);
    const signature = instance.metadata();
    await instance.unload();
    const issues = checkManifestAgainstSignature(manifest, signature);
    if (issues.length > 0) throw new InvalidPackageError(issues);
    const afterPush: ((version: VersionRecord) => Promise<void>)[] = [];
    for (const extension of pushExtensions) {
      const then = await extension.prepare({ files, manifest, signature, model });
      if (then !== undefined) afterPush.push(then);
    }

    // Everything is valid: only now is anything written.
    const refs: ArtifactRef[] = [];
    for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const { digest, size } = await artifacts.put(bytes);
      refs.push({ path, digest, size });
    }
    const { lineage } = manifest;
    const { version, created } = await store.createVersion({
      pipeline: manifest.name,
      digest: sha256(canonicalJson({ manifest, artifacts: refs })),
      manifest,
      signature,
      artifacts: refs,
      lineage: { ...lineage, parameters: lineage?.parameters ?? {}, metrics: lineage?.metrics ?? {} },
      createdBy: actor,
      createdAt: new Date().toISOString(),
    });
    if (created) changed(manifest.name);
    for (const then of afterPush) await then(version);
    return { ref: formatVersionRef(version.pipeline, version.version), created, version };
  }

  async function resolveRef(ref: PipelineRef): Promise<VersionRecord> {
    const key = formatRef(ref);
    const hit = resolved.get(key);
    if (hit) return hit;
    let record: VersionRecord | undefined;
    switch (ref.selector.kind) {
      case 'latest':
        record = await store.latestVersion(ref.name);
        break;
      case 'version':
        record = await store.getVersion(ref.name, ref.selector.version);
        break;
      case 'alias': {
        const alias = await store.getAlias(ref.name, ref.selector.alias);
        record = alias && (await store.getVersion(ref.name, alias.version));
        break;
      }
    }
    if (record === undefined) {
      throw new PipelineNotFoundError(ref.name, ref.selector.kind === 'latest' ? undefined : key);
    }
    resolved.set(key, record);
    return record;
  }

  async function requirePipeline(name: string): Promise<PipelineSummary> {
    const summary = await store.getPipeline(assertPipelineName(name));
    if (summary === undefined) throw new PipelineNotFoundError(name);
    return summary;
  }

  return {
    push,
    /** Resolves `name`, `name:vN` or `name@alias`. */
    resolve: (text: string, field = 'pipeline') => resolveRef(parsePipelineRef(text, field)),
    resolveRef,
    listPipelines: () => store.listPipelines(),
    getPipeline: requirePipeline,
    async listVersions(name: string): Promise<VersionRecord[]> {
      await requirePipeline(name);
      return store.listVersions(name);
    },
    async listAliases(name: string): Promise<AliasRecord[]> {
      await requirePipeline(name);
      return store.listAliases(name);
    },
    async setAlias(name: string, alias: string, version: number | string, actor: string): Promise<AliasRecord> {
      await requirePipeline(name);
      const n = parseVersion(String(version), 'version');
      const target = await resolveRef({ name, selector: { kind: 'version', version: n } });
      const environment = assertAliasName(alias);
      for (const gate of promotionGates) await gate({ record: target, environment, actor, via: 'alias' });
      await beforeAliasMove?.(target);
      const record = await store.setAlias({ pipeline: name, alias: assertAliasName(alias), version: n, actor });
      changed(name);
      // The alias's next request resolves from memory, not the database.
      resolved.set(formatRef({ name, selector: { kind: 'alias', alias } }), target);
      return record;
    },
    async aliasHistory(name: string, alias: string): Promise<AliasEvent[]> {
      await requirePipeline(name);
      const history = await store.aliasHistory(name, assertAliasName(alias));
      if (history.length === 0) throw new PipelineNotFoundError(name, `alias @${alias}`);
      return history;
    },
    /** Called with the pipeline's name after each new version or alias move. */
    onChange(listener: (pipeline: string) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
