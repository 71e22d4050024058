/**
 * Which host a version is loaded on. Pure: a function of the model's size and what each
 * host already holds, tested as a table.
 */

/**
 * Default `inlineMaxBytes`: 1 MiB. Below it a model's run takes microseconds, less than
 * the ~22 µs of posting its tensors to another thread and back, and inline sessions are
 * single-threaded (so a thousand of them don't mean a thousand thread pools). Above it the
 * run is long enough that a worker thread with a multi-core pool serves it faster and
 * keeps the event loop free (bench: a 2 MiB MLP inline on one thread ran at 0.59× a bare
 * two-thread server).
 */
export const DEFAULT_INLINE_MAX_BYTES = 1024 * 1024;

export interface PlacementHosts {
  inline: string;
  /** Thread hosts with the bytes of the versions loaded on each. */
  threads: readonly { id: string; loadedBytes: number }[];
}

/**
 * The id of the host for a model of `modelFileBytes`: the inline host when the model is
 * smaller than `inlineMaxBytes` (or there are no thread hosts), else the thread host
 * holding the fewest bytes (the first of equals), so heavy models spread across threads.
 */
export function placeVersion(modelFileBytes: number, hosts: PlacementHosts, inlineMaxBytes: number = DEFAULT_INLINE_MAX_BYTES): string {
  if (modelFileBytes < inlineMaxBytes) return hosts.inline;
  let best: PlacementHosts['threads'][number] | undefined;
  for (const thread of hosts.threads) if (best === undefined || thread.loadedBytes < best.loadedBytes) best = thread;
  return best?.id ?? hosts.inline;
}

/**
 * The host for another replica of a version whose replicas already live on `occupied`:
 * replicas exist to run in parallel, so a host without one is preferred (the inline host
 * only for a small model, then the thread holding the fewest bytes); when every eligible
 * host has one, the usual placement.
 */
export function placeReplica(modelFileBytes: number, hosts: PlacementHosts, occupied: ReadonlySet<string>, inlineMaxBytes: number = DEFAULT_INLINE_MAX_BYTES): string {
  if (occupied.size === 0) return placeVersion(modelFileBytes, hosts, inlineMaxBytes);
  if (modelFileBytes < inlineMaxBytes && !occupied.has(hosts.inline)) return hosts.inline;
  const free = hosts.threads.filter((t) => !occupied.has(t.id));
  if (free.length > 0) return placeVersion(Math.max(modelFileBytes, inlineMaxBytes), { inline: hosts.inline, threads: free }, inlineMaxBytes);
  return placeVersion(modelFileBytes, hosts, inlineMaxBytes);
}
