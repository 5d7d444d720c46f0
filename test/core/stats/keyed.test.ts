/**
 * keyedUniform is createRng(FNV-1a(key) ^ seed·0x9e3779b1).next(): with seed 0 the draw is the
 * generator's first number for the key's FNV-1a hash, checked here against the published
 * FNV-1a 32-bit test vectors (so a changed hash, which would move every sample's split, fails).
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { keyedUniform } from "../../../src/core/stats/keyed.js";

describe("keyedUniform", () => {
  it("hashes the key with FNV-1a (reference vectors) and mixes in the seed", () => {
    const vectors: [string, number][] = [
      ["", 0x811c9dc5],
      ["a", 0xe40c292c],
      ["foobar", 0xbf9cf968],
    ];
    for (const [key, hash] of vectors) expect(keyedUniform(key, 0)).toBe(createRng(hash).next());
    expect(keyedUniform("foobar", 7)).toBe(createRng((0xbf9cf968 ^ Math.imul(7, 0x9e3779b1)) >>> 0).next());
    // FNV-1a collisions give equal draws (callers break such ties by key)
    expect(keyedUniform("costarring", 3)).toBe(keyedUniform("liquid", 3));
  });
});
