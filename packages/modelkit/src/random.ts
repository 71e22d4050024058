/**
 * A seeded pseudo-random generator for training and synthetic data. Every example model is
 * a pure function of its seed, so it must never touch `Math.random`. The core is
 * xoshiro128** (small, fast, well-tested), with state expanded from the seed by splitmix32
 * so nearby seeds give unrelated streams.
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  // xoshiro128** state: four 32-bit words (held as int32; only the output is made unsigned).
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller yields normals in pairs; the second is kept for the next call. */
  private spare: number | undefined;

  constructor(seed: number) {
    const next = splitmix32(seed);
    [this.a, this.b, this.c, this.d] = [next(), next(), next(), next()];
  }

  /** Next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1), with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform in [min, max). */
  uniform(min = 0, max = 1): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Normal with the given mean and standard deviation (Box–Muller). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return mean + sd * r * Math.cos(theta);
  }

  /** 1 with probability `p`, else 0. */
  bernoulli(p: number): 0 | 1 {
    return this.next() < p ? 1 : 0;
  }

  /** Poisson-distributed count (Knuth's method: fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let product = this.next();
    while (product > limit) {
      k++;
      product *= this.next();
    }
    return k;
  }

  /** An index drawn with probability proportional to its (non-negative) weight. */
  categorical(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] ?? 0;
      if (u < 0) return i;
    }
    // Rounding can leave u at a hair above zero; the last positive weight takes it.
    for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] ?? 0) > 0) return i;
    throw new RangeError('categorical: weights must include a positive value');
  }

  /** One of `items`, drawn with probability proportional to `weights` (uniform if omitted). */
  pick<T>(items: readonly T[], weights?: readonly number[]): T {
    const i = weights ? this.categorical(weights) : Math.floor(this.next() * items.length);
    const item = items[i];
    if (item === undefined) throw new RangeError('pick: no items');
    return item;
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
