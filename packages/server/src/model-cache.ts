/**
 * Loaded model instances by version. A version is loaded once (concurrent requests for a
 * cold version share one load), its model artifact verified against its digest on every
 * load. The serving-engine issue grows this into a memory-budgeted LRU.
 */
import { type ArtifactStore, type ModelInstance, type ModelRuntime, SlipwayError, type VersionRecord } from '@slipway/core';

export interface LoadedVersion {
  record: VersionRecord;
  instance: ModelInstance;
}

export type ModelCache = ReturnType<typeof createModelCache>;

const keyOf = (r: VersionRecord) => `${r.pipeline}:${r.version}`;

export function createModelCache({ artifacts, runtime }: { artifacts: ArtifactStore; runtime: ModelRuntime }) {
  const loads = new Map<string, Promise<LoadedVersion>>();

  async function load(record: VersionRecord): Promise<LoadedVersion> {
    const artifact = record.artifacts.find((a) => a.path === record.manifest.model);
    if (artifact === undefined) {
      throw new SlipwayError('internal', `version ${keyOf(record)} has no artifact for its model "${record.manifest.model}"`);
    }
    const bytes = await artifacts.get(artifact.digest);
    return { record, instance: await runtime.load(bytes) };
  }

  return {
    get(record: VersionRecord): Promise<LoadedVersion> {
      const key = keyOf(record);
      let pending = loads.get(key);
      if (pending === undefined) {
        pending = load(record);
        loads.set(key, pending);
        // A failed load is forgotten so the next request tries again (e.g. after a re-push).
        pending.catch(() => loads.delete(key));
      }
      return pending;
    },
    isLoaded(record: VersionRecord): boolean {
      return loads.has(keyOf(record));
    },
    async close(): Promise<void> {
      const all = [...loads.values()];
      loads.clear();
      await Promise.allSettled(all.map(async (p) => (await p).instance.unload()));
    },
  };
}
