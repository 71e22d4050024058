import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it.each([
    ['8GiB', 8 * 1024 ** 3],
    ['512 MiB', 512 * 1024 ** 2],
    ['1.5GB', 1.5e9],
    ['1048576', 1048576],
    [4096, 4096],
    ['10kb', 10_000],
  ])('reads %j', (text, bytes) => expect(parseByteSize(text)).toBe(bytes));
  it.each(['', 'lots', '-1GiB', '8 GiBs', '1e9'])('refuses %j', (text) => expect(parseByteSize(text)).toBeUndefined());
});
