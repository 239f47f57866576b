/**
 * A small seeded PRNG (mulberry32). Deterministic across runs and platforms, which is the point:
 * the dataset, the flaky accounts and the random faults must be reproducible from a seed.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks a key by weight; weights need not sum to 1. */
  weighted<K extends string>(weights: readonly (readonly [K, number])[]): K;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    weighted<K extends string>(weights: readonly (readonly [K, number])[]): K {
      let total = 0;
      for (const [, w] of weights) total += w;
      let roll = next() * total;
      for (const [key, w] of weights) {
        roll -= w;
        if (roll < 0) return key;
      }
      const last = weights[weights.length - 1];
      if (last === undefined) throw new Error('weighted pick from an empty list');
      return last[0];
    },
  };
}

/** FNV-1a 32-bit hash: turns a string (a client id) into a default seed. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const ID_ALPHABET = Array.from('abcdefghijklmnopqrstuvwxyz0123456789', (c) => c.charCodeAt(0));
const ID_CODES = new Array<number>(25);

/** A Nylas v2-style id: 25 characters of [a-z0-9]. */
export function nylasId(random: Random): string {
  // Char codes and one fromCharCode: concatenating 25 one-letter strings costs 100,000-account
  // datasets most of their time in garbage collection.
  for (let i = 0; i < ID_CODES.length; i++) ID_CODES[i] = ID_ALPHABET[random.int(ID_ALPHABET.length)] ?? 97;
  return String.fromCharCode(...ID_CODES);
}
