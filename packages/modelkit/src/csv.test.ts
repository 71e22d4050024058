import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('writes a header and rows, numbers in shortest round-trip form', () => {
    expect(toCsv(['a', 'b'], [[1, 0.1], [-0, 'x']])).toBe('a,b\n1,0.1\n0,x\n');
  });

  it('quotes cells holding commas, quotes or line breaks', () => {
    expect(toCsv(['v'], [['a,b'], ['say "hi"'], ['two\nlines']])).toBe('v\n"a,b"\n"say ""hi"""\n"two\nlines"\n');
  });

  it('rejects ragged rows and non-finite numbers', () => {
    expect(() => toCsv(['a', 'b'], [[1]])).toThrow(/1 cells, expected 2/);
    expect(() => toCsv(['a'], [[Number.NaN]])).toThrow(/finite/);
  });
});
