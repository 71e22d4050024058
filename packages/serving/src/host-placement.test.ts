import { describe, expect, it } from 'vitest';
import { DEFAULT_INLINE_MAX_BYTES, placeReplica, placeVersion, type PlacementHosts } from './host-placement.js';

const MiB = 2 ** 20;
const threads = (...loaded: number[]): PlacementHosts['threads'] => loaded.map((loadedBytes, i) => ({ id: `thread-${i + 1}`, loadedBytes }));

describe('placeVersion', () => {
  it.each<[string, number, PlacementHosts['threads'], number | undefined, string]>([
    ['a small model runs inline', 64 * 1024, threads(0, 0), undefined, 'inline'],
    ['just under the default threshold runs inline', DEFAULT_INLINE_MAX_BYTES - 1, threads(0), undefined, 'inline'],
    ['at the threshold goes to a thread', DEFAULT_INLINE_MAX_BYTES, threads(0), undefined, 'thread-1'],
    ['a large model goes to the thread holding the fewest bytes', 64 * MiB, threads(300 * MiB, 100 * MiB, 200 * MiB), undefined, 'thread-2'],
    ['equal threads: the first', 64 * MiB, threads(100 * MiB, 100 * MiB), undefined, 'thread-1'],
    ['no thread hosts: inline whatever the size', 512 * MiB, threads(), undefined, 'inline'],
    ['a custom threshold', 6 * MiB, threads(0), 4 * MiB, 'thread-1'],
    ['under a custom threshold', 3 * MiB, threads(0), 4 * MiB, 'inline'],
    ['threshold 0 sends everything to threads', 1, threads(5, 3), 0, 'thread-2'],
  ])('%s', (_, bytes, threadHosts, inlineMaxBytes, expected) => {
    expect(placeVersion(bytes, { inline: 'inline', threads: threadHosts }, inlineMaxBytes)).toBe(expected);
  });
});

describe('placeReplica', () => {
  const hosts = (...loaded: number[]): PlacementHosts => ({ inline: 'inline', threads: threads(...loaded) });
  it.each<[string, number, PlacementHosts, string[], string]>([
    ['the first replica: the usual placement', 64 * 1024, hosts(0, 0), [], 'inline'],
    ['a small model with a replica inline: the emptiest thread', 64 * 1024, hosts(5 * MiB, 1 * MiB), ['inline'], 'thread-2'],
    ['a small model inline when its other replica is on a thread', 64 * 1024, hosts(0, 0), ['thread-1'], 'inline'],
    ['a large model avoids the thread already holding it', 64 * MiB, hosts(0, 100 * MiB), ['thread-1'], 'thread-2'],
    ['every thread holds one: the emptiest thread again', 64 * MiB, hosts(300 * MiB, 100 * MiB), ['thread-1', 'thread-2'], 'thread-2'],
    ['every host holds a small one: inline again', 1024, hosts(0), ['inline', 'thread-1'], 'inline'],
  ])('%s', (_, bytes, h, occupied, expected) => {
    expect(placeReplica(bytes, h, new Set(occupied))).toBe(expected);
  });
});
