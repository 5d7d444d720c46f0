/**
 * The small linear congruential generator the exact tests build their fixtures from: uniform in
 * [−0.5, 0.5), the same sequence for a seed everywhere. Kept apart from src/core/random.ts so a
 * change to the project's generator cannot silently change what these tests check.
 */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296 - 0.5;
  };
}
