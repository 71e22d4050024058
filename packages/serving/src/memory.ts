/**
 * What a load really costs in memory: the growth of the process's resident set across the
 * load and its warm-up. Worker threads share the process, so this covers thread hosts too.
 * The model cache serializes loads, so the growth belongs to the one version loading.
 */

/**
 * Runs `load` and returns its result with the bytes to account for it:
 * `max(rss growth, model file size)`.
 *
 * The RSS growth is the real cost when memory is fresh: onnxruntime's copies of the weights
 * and the buffers the warm-up run allocated (measured on onnxruntime 1.30: a 16 MiB MatMul
 * model grows RSS by 32 MiB, a 64 MiB one by 64 MiB). The process's first load also
 * carries onnxruntime's one-time set-up (about 25 MiB): an over-count, undone when that
 * version is unloaded. But it reads low
 * whenever the allocator reuses pages an earlier unload freed without returning them to the
 * OS (a reload then measures ~0), and noise (a GC during the load) can make it negative.
 * The weights are in memory whatever the allocator did, so the file size is a floor that
 * is always true; under-counting is the dangerous direction for a budget that exists to
 * prevent running out of memory.
 */
export async function measureLoad<T>(modelFileBytes: number, load: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  // `rss()` reads one number from the OS; `memoryUsage()` also walks the V8 heaps.
  const before = process.memoryUsage.rss();
  const result = await load();
  return { result, bytes: Math.max(process.memoryUsage.rss() - before, modelFileBytes) };
}
