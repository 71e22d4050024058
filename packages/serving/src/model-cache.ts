/**
 * The model cache: which versions are loaded, on which host, within a memory budget.
 * Versions load on demand (one load however many requests wait for it), are measured as
 * they load, and the least recently used ones are evicted to make room; pinned versions and
 * versions with a request in flight stay. The set of loaded versions is persisted so a
 * restart warms the same ones again instead of serving its first requests cold.
 *
 * Loads and unloads run one at a time: it keeps the budget arithmetic simple and lets each
 * load's growth of the process's memory be attributed to it (`memory.ts`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, InvalidInputError, type ModelSignature, SlipwayError, type VersionRecord } from '@slipway/core';
import { DEFAULT_INLINE_MAX_BYTES, placeReplica } from './host-placement.js';
import { measureLoad } from './memory.js';
import type { ThreadHost } from './thread-host.js';
import { type LoadReport, type ModelHost, type VersionKey, baseKey, replicaKey } from './types.js';

/**
 * A version's size before its first load, as a multiple of its model file. Measured on
 * onnxruntime 1.30, CPU, after warm-up: a 16 MiB MatMul model takes 32 MiB (with graph
 * optimisation on or off), a 64 MiB one 64 MiB, a 16 MiB Add 32–40 MiB (its activations
 * are as large as its weights). Erring high only evicts a little early; the load's
 * measurement then replaces the estimate.
 */
const ESTIMATE_FACTOR = 2;

/** The hot set is written at most this often, so a busy server does not write on every request. */
const HOT_SET_WRITE_INTERVAL_MS = 1000;

export interface ModelCacheEvents {
  /** A request found its version loaded. */
  hit?(key: VersionKey): void;
  /** A request had to wait for its version to load (or joined a load in progress). */
  miss?(key: VersionKey): void;
  load?(key: VersionKey, report: LoadReport & { bytes: number; host: string }): void;
  /** A version was unloaded to make room. */
  evict?(key: VersionKey, bytes: number): void;
  /** A version was unloaded on request (`unload`). */
  unload?(key: VersionKey): void;
  /** The hot set file could not be written, or was unreadable at `restore` (which then starts cold). */
  hotSetError?(error: unknown): void;
}

export interface ModelCacheOptions {
  /** Total measured bytes of loaded versions may not exceed this. */
  budgetBytes: number;
  /** Where versions are loaded. The cache owns them: `close` closes them. */
  hosts: { inline: ModelHost; threads: ThreadHost[] };
  /** Models whose file is smaller than this run on the inline host. Default 1 MiB (`DEFAULT_INLINE_MAX_BYTES`). */
  inlineMaxBytes?: number;
  /** Reads and verifies a version's model bytes (the artifact store re-hashes them). */
  fetchModel(record: VersionRecord): Promise<Uint8Array>;
  /** Where the hot set is persisted; absent: not persisted. */
  hotSetFile?: string;
  /** Observers for metrics. */
  events?: ModelCacheEvents;
}

export interface LoadedVersion {
  key: VersionKey;
  record: VersionRecord;
  host: ModelHost;
  signature: ModelSignature;
  /** Measured bytes, counted against the budget. */
  bytes: number;
  loadMs: number;
  warmupMs: number;
  /** Requests served (`acquire`s), carried across restarts by the hot set. */
  hits: number;
  /** Epoch ms of the last `acquire`, release or `warm`. */
  lastUsed: number;
  /** Epoch ms until which the version is not evicted; 0 when not pinned. */
  pinnedUntil: number;
  /** Leases held (and loads waited on) right now. */
  inUse: number;
}

export interface Lease {
  version: LoadedVersion;
  /** Lets the version be evicted again. Idempotent. */
  release(): void;
}

export interface ModelCache {
  /**
   * Loads if needed (one load for concurrent callers; loads serialized), marks used; the
   * version can't be evicted until released. `replica` > 0 names another loaded copy of the
   * version (`replicaKey`), placed on a host holding no other copy where one is free.
   */
  acquire(record: VersionRecord, replica?: number): Promise<Lease>;
  /** Loads and warms without holding it (preloading before an alias moves, or a new replica). */
  warm(record: VersionRecord, replica?: number): Promise<LoadedVersion>;
  /**
   * Keeps a version loaded until `until` (epoch ms; Infinity = until unpinned). Loads it if
   * needed. A later pin never shortens an earlier one; `unpin` ends it.
   */
  pin(record: VersionRecord, until: number): Promise<LoadedVersion>;
  unpin(key: VersionKey): void;
  /** Unloads now unless in use (then as soon as it's released). */
  unload(key: VersionKey): Promise<void>;
  /**
   * Drops versions a host lost (its worker died) without unloading them; their next request
   * loads them again. Wire it to the thread hosts' `onLost`.
   */
  forget(keys: readonly VersionKey[]): void;
  isLoaded(key: VersionKey): boolean;
  /** The loaded versions, as live records. */
  list(): LoadedVersion[];
  usedBytes(): number;
  /** Reloads the persisted hot set, most-used first, in the background; resolves when done. */
  restore(resolve: (pipeline: string, version: number) => Promise<VersionRecord | undefined>): Promise<void>;
  /** Persists the hot set, then unloads everything and closes the hosts. */
  close(): Promise<void>;
}

/** One version of the persisted hot set. */
interface HotSetEntry {
  key: VersionKey;
  pipeline: string;
  version: number;
  hits: number;
  bytes: number;
}

interface Entry extends LoadedVersion {
  /** Recency for LRU: a counter, because several uses can share one millisecond. */
  useOrder: number;
}

/** How a version's size was arrived at, for the message when it does not fit. */
type SizeSource = 'estimate' | 'remembered' | 'measured';

const SIZE_SOURCE: Record<SizeSource, string> = {
  estimate: `estimated as ${ESTIMATE_FACTOR}× its model file`,
  remembered: 'as measured when it was last loaded',
  measured: 'as measured at load',
};

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function isHotSetEntry(value: unknown): value is HotSetEntry {
  const v = value as Partial<HotSetEntry> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.key === 'string' &&
    typeof v.pipeline === 'string' &&
    Number.isSafeInteger(v.version) &&
    typeof v.hits === 'number' &&
    typeof v.bytes === 'number'
  );
}

async function readHotSet(file: string): Promise<HotSetEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = (JSON.parse(text) as { versions?: unknown }).versions;
  if (!Array.isArray(parsed)) throw new Error(`${file}: "versions" is not a list`);
  return parsed.filter(isHotSetEntry);
}

async function writeAtomically(file: string, text: string): Promise<void> {
  // A crash mid-write must leave the previous hot set, not half of a new one.
  const temporary = `${file}.${process.pid}.tmp`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(temporary, text);
  await rename(temporary, file);
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

export function createModelCache(options: ModelCacheOptions): ModelCache {
  const { budgetBytes, hosts, hotSetFile, events = {} } = options;
  const inlineMaxBytes = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
  if (!(Number.isFinite(budgetBytes) && budgetBytes > 0)) {
    throw new InvalidInputError([{ path: 'budgetBytes', message: `must be a positive number of bytes, got ${budgetBytes}` }]);
  }

  const entries = new Map<VersionKey, Entry>();
  const loading = new Map<VersionKey, Promise<Entry>>();
  /** Leases and waiting loads by version; taken before a load starts, so nothing evicts what a caller is about to get. */
  const holds = new Map<VersionKey, number>();
  /** Unloads requested while the version was in use. */
  const retiring = new Map<VersionKey, Deferred>();
  /** Last measured bytes by version (this process's loads, then the hot set file): the estimate for its next load. */
  const measured = new Map<VersionKey, number>();
  /** Bytes of loaded versions, and of evicted ones until their unload has finished. */
  let used = 0;
  let useCounter = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let writeTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  }

  const closedError = () => new SlipwayError(ErrorCode.unavailable, 'the model cache is closed: the server is shutting down');

  // --- persistence -------------------------------------------------------------------

  function persist(): Promise<void> {
    if (hotSetFile === undefined) return writing;
    const versions: HotSetEntry[] = [...entries.values()].filter((e) => baseKey(e.key) === e.key).map((e) => ({ key: e.key, pipeline: e.record.pipeline, version: e.record.version, hits: e.hits, bytes: e.bytes }));
    const text = `${JSON.stringify({ versions }, null, 2)}\n`;
    writing = writing.then(() => writeAtomically(hotSetFile, text)).catch((error: unknown) => events.hotSetError?.(error));
    return writing;
  }

  function schedulePersist(): void {
    // Not reset by later changes: under steady traffic the file is still written once per interval.
    if (hotSetFile === undefined || closed || writeTimer !== undefined) return;
    writeTimer = setTimeout(() => {
      writeTimer = undefined;
      void persist();
    }, HOT_SET_WRITE_INTERVAL_MS);
    writeTimer.unref();
  }

  // --- eviction ----------------------------------------------------------------------

  const isEvictable = (e: Entry, now: number) => !holds.has(e.key) && e.pinnedUntil <= now;

  /** Unloads `entry`; its bytes count until its memory is really released. Returns whether it was still loaded. */
  async function drop(entry: Entry): Promise<boolean> {
    if (entries.get(entry.key) !== entry) return false;
    entries.delete(entry.key);
    try {
      await entry.host.unload(entry.key);
    } finally {
      used -= entry.bytes;
      schedulePersist();
    }
    return true;
  }

  async function evict(entry: Entry): Promise<void> {
    if (await drop(entry)) events.evict?.(entry.key, entry.bytes);
  }

  /**
   * Evicts least recently used versions until `needed` more bytes fit (with `key`'s own
   * bytes already counted when it is loaded). Evicts nothing when even evicting everything
   * evictable would not be enough, and refuses with what is in the way.
   */
  async function makeRoom(key: VersionKey, needed: number, source: SizeSource, mayEvict: boolean): Promise<void> {
    if (used + needed <= budgetBytes) return;
    const now = Date.now();
    const victims = [...entries.values()].filter((e) => e.key !== key && isEvictable(e, now)).sort((a, b) => a.useOrder - b.useOrder);
    const own = (entries.get(key)?.bytes ?? 0) + needed;
    const held = used - (entries.get(key)?.bytes ?? 0) - victims.reduce((sum, e) => sum + e.bytes, 0);
    if (mayEvict && held + own <= budgetBytes) {
      for (const victim of victims) {
        if (used + needed <= budgetBytes) return;
        // Evictions take time; a victim may have been acquired or pinned meanwhile.
        if (isEvictable(victim, Date.now())) await evict(victim);
      }
      if (used + needed <= budgetBytes) return;
    }
    const fix = 'raise the budget with --model-memory or SLIPWAY_MODEL_MEMORY';
    const details = { version: key, bytes: own, budgetBytes, heldBytes: held };
    const size = `version ${key} needs ${mib(own)} (${SIZE_SOURCE[source]})`;
    throw own > budgetBytes
      ? new SlipwayError(ErrorCode.unavailable, `${size} but the model memory budget is ${mib(budgetBytes)}; ${fix}`, { details })
      : new SlipwayError(
          ErrorCode.unavailable,
          `${size} but ${mib(held)} of the ${mib(budgetBytes)} model memory budget is held by versions in use, pinned or unloading; retry when they are released, or ${fix}`,
          { details },
        );
  }

  // --- loading -----------------------------------------------------------------------

  /** The thread host a model goes to, or undefined for the inline host; other replicas' hosts are avoided. */
  function threadFor(modelFileBytes: number, key: VersionKey): ThreadHost | undefined {
    const loadedBytes = new Map<ModelHost, number>();
    const occupied = new Set<string>();
    const base = baseKey(key);
    for (const e of entries.values()) {
      loadedBytes.set(e.host, (loadedBytes.get(e.host) ?? 0) + e.bytes);
      if (baseKey(e.key) === base) occupied.add(e.host.id);
    }
    const threads = hosts.threads.map((h) => ({ id: h.id, loadedBytes: loadedBytes.get(h) ?? 0 }));
    const id = placeReplica(modelFileBytes, { inline: hosts.inline.id, threads }, occupied, inlineMaxBytes);
    return hosts.threads.find((h) => h.id === id);
  }

  /** Loads a version; restored ones keep their persisted hits and rank, and never evict anything. */
  async function load(record: VersionRecord, key: VersionKey, restored?: { hits: number; useOrder: number }): Promise<Entry> {
    if (closed) throw closedError();
    // Fetched before making room: a corrupted artifact then fails without evicting anything.
    const model = await options.fetchModel(record);
    const fileBytes = model.byteLength;
    // Replicas of a version cost the same: the first one's measurement is every one's estimate.
    const remembered = measured.get(key) ?? measured.get(baseKey(key));
    await makeRoom(key, remembered ?? fileBytes * ESTIMATE_FACTOR, remembered === undefined ? 'estimate' : 'remembered', restored === undefined);
    const thread = threadFor(fileBytes, key);
    // A thread host's worker (re)starts outside the measurement: its memory is the thread's, not the model's.
    await thread?.start();
    const host: ModelHost = thread ?? hosts.inline;
    const { result: report, bytes: delta } = await measureLoad(fileBytes, () => host.load(key, model));
    // A reload reuses pages the allocator kept from the last load, so its RSS delta
    // under-counts; the largest measurement seen for the version is its true cost.
    const bytes = Math.max(delta, remembered ?? 0);
    measured.set(key, bytes);
    const entry: Entry = {
      key,
      record,
      host,
      signature: report.signature,
      bytes,
      loadMs: report.loadMs,
      warmupMs: report.warmupMs,
      hits: restored?.hits ?? 0,
      lastUsed: Date.now(),
      pinnedUntil: 0,
      useOrder: restored?.useOrder ?? ++useCounter,
      get inUse() {
        return holds.get(key) ?? 0;
      },
    };
    entries.set(key, entry);
    used += bytes;
    try {
      // The estimate may have been low: the budget holds after the load, not just before.
      await makeRoom(key, 0, 'measured', restored === undefined);
    } catch (error) {
      await drop(entry);
      throw error;
    }
    events.load?.(key, { ...report, bytes, host: host.id });
    schedulePersist();
    return entry;
  }

  function loadOnce(record: VersionRecord, restored?: { hits: number; useOrder: number }, replica = 0): Promise<Entry> {
    const key = replicaKey(record, replica);
    let pending = loading.get(key);
    if (pending === undefined) {
      // A failed load is not remembered: the next request tries again.
      pending = serialized(() => load(record, key, restored)).finally(() => loading.delete(key));
      loading.set(key, pending);
    }
    return pending;
  }

  function touch(entry: Entry): void {
    entry.lastUsed = Date.now();
    entry.useOrder = ++useCounter;
  }

  /** Takes a hold on the version, loading it if needed. */
  async function hold(record: VersionRecord, isRequest: boolean, replica = 0): Promise<Entry> {
    if (closed) throw closedError();
    const key = replicaKey(record, replica);
    holds.set(key, (holds.get(key) ?? 0) + 1);
    const cached = entries.get(key);
    if (isRequest && cached !== undefined) events.hit?.(key);
    else if (isRequest) events.miss?.(key);
    try {
      const entry = cached ?? (await loadOnce(record, undefined, replica));
      touch(entry);
      return entry;
    } catch (error) {
      release(key);
      throw error;
    }
  }

  function release(key: VersionKey): void {
    const remaining = (holds.get(key) ?? 1) - 1;
    if (remaining > 0) {
      holds.set(key, remaining);
      return;
    }
    holds.delete(key);
    const retire = retiring.get(key);
    if (retire !== undefined) retireWhenIdle(key, retire);
  }

  function retireWhenIdle(key: VersionKey, retire: Deferred): void {
    serialized(async () => {
      // Taken again while waiting for its turn: it goes at its next release instead.
      if (holds.has(key)) return;
      retiring.delete(key);
      const entry = entries.get(key);
      if (entry !== undefined && (await drop(entry))) events.unload?.(key);
      retire.resolve();
    }).catch(retire.reject);
  }

  // --- the cache ---------------------------------------------------------------------

  return {
    async acquire(record: VersionRecord, replica = 0): Promise<Lease> {
      const entry = await hold(record, true, replica);
      entry.hits++;
      schedulePersist();
      let released = false;
      return {
        version: entry,
        release() {
          if (released) return;
          released = true;
          touch(entry);
          release(entry.key);
        },
      };
    },

    async warm(record: VersionRecord, replica = 0): Promise<LoadedVersion> {
      const entry = await hold(record, false, replica);
      release(entry.key);
      return entry;
    },

    async pin(record: VersionRecord, until: number): Promise<LoadedVersion> {
      const entry = await hold(record, false);
      entry.pinnedUntil = Math.max(entry.pinnedUntil, until);
      release(entry.key);
      return entry;
    },

    unpin(key: VersionKey): void {
      const entry = entries.get(key);
      if (entry !== undefined) entry.pinnedUntil = 0;
    },

    async unload(key: VersionKey): Promise<void> {
      // A load in progress lands first, so that it is what gets unloaded.
      await loading.get(key)?.catch(() => undefined);
      if (!entries.has(key)) return;
      let retire = retiring.get(key);
      if (retire === undefined) {
        retire = deferred();
        retiring.set(key, retire);
        if (!holds.has(key)) retireWhenIdle(key, retire);
      }
      await retire.promise;
    },

    forget(keys: readonly VersionKey[]): void {
      for (const key of keys) {
        const entry = entries.get(key);
        if (entry === undefined) continue;
        entries.delete(key);
        used -= entry.bytes;
      }
      schedulePersist();
    },

    isLoaded: (key: VersionKey) => entries.has(key),
    list: () => [...entries.values()],
    usedBytes: () => used,

    async restore(resolve: (pipeline: string, version: number) => Promise<VersionRecord | undefined>): Promise<void> {
      if (hotSetFile === undefined) return;
      let saved: HotSetEntry[];
      try {
        saved = await readHotSet(hotSetFile);
      } catch (error) {
        // The hot set is a hint: a damaged file costs a cold start, never a failed one.
        events.hotSetError?.(error);
        return;
      }
      for (const s of saved) if (!measured.has(s.key)) measured.set(s.key, s.bytes);
      const byUse = saved.sort((a, b) => b.hits - a.hits);
      for (const [rank, s] of byUse.entries()) {
        if (closed) return;
        // What no longer fits is skipped without reading it: restoring never evicts live traffic's versions.
        if (entries.has(s.key) || used + s.bytes > budgetBytes) continue;
        try {
          const record = await resolve(s.pipeline, s.version);
          // Restored versions rank before any live use, the most used as the most recent.
          if (record !== undefined) await loadOnce(record, { hits: s.hits, useOrder: -1 - rank });
        } catch {
          // A version that no longer loads (deleted, corrupted, grown past the budget) stays
          // cold; its first request reports why.
        }
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearTimeout(writeTimer);
      writeTimer = undefined;
      // Loads already queued see `closed` and refuse; the one running finishes first.
      await serialized(() => Promise.resolve());
      await persist();
      entries.clear();
      used = 0;
      for (const retire of retiring.values()) retire.resolve();
      retiring.clear();
      await Promise.all([hosts.inline, ...hosts.threads].map((host) => host.close()));
    },
  };
}
