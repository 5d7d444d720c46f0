/** Order-independent random draws keyed by a sample's split key (see src/core/stats/split.ts). */
import { createRng } from "../random.js";

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in [0,1) that depends only on (key, seed): order-independent assignment. */
export function keyedUniform(key: string, seed: number): number {
  return createRng(fnv1a(key) ^ Math.imul(seed | 0, 0x9e3779b1)).next();
}
