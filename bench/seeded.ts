/**
 * mulberry32, the seeded generator of the lincheck benchmarks: every run generates the same
 * histories, so the figures in bench/README.md can be reproduced. (The harness's own PRNG is
 * harness/random.ts; these benchmarks keep mulberry32 so their recorded histories stay the same.)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
