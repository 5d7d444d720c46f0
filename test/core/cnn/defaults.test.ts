import { describe, expect, it } from "vitest";
import { cnnDefaultsForN, LARGE_N, SMALL_N } from "../../../src/core/cnn/config.js";

describe("cnnDefaultsForN (n-dependent cnn.train defaults)", () => {
  it("small n: no validation split and no early stopping, batch well below n, ensemble", () => {
    for (const n of [20, 29, 63, 64, 100, 124, SMALL_N - 1]) {
      const d = cnnDefaultsForN(n);
      expect(d.tier).toBe("small");
      expect(d.val).toBe(0);
      expect(d.patience).toBe(0);
      expect(d.uncertainty).toBe("ensemble");
      expect(d.members).toBe(5);
      expect(d.arch).toBe("small");
      // at least 2 optimizer steps an epoch even at n = 20 (batch 64 gave one step per epoch at n ≈ 100)
      expect(Math.ceil(n / d.batch)).toBeGreaterThanOrEqual(2);
    }
    expect(cnnDefaultsForN(63).batch).toBe(8);
    expect(cnnDefaultsForN(64).batch).toBe(16);
  });

  it("medium and large n: validation 10 %, early stopping, NLL head, batch 32 / 64", () => {
    expect(cnnDefaultsForN(SMALL_N)).toMatchObject({
      tier: "medium",
      val: 0.1,
      patience: 15,
      batch: 32,
      uncertainty: "nll",
      arch: "default",
    });
    expect(cnnDefaultsForN(LARGE_N - 1).batch).toBe(32);
    expect(cnnDefaultsForN(LARGE_N)).toMatchObject({ tier: "large", batch: 64, epochs: 100, lr: 1e-3, schedule: "plateau" });
    expect(cnnDefaultsForN(57_000).tier).toBe("large");
    // ≥ 9 validation spectra whenever early stopping is on
    expect(Math.floor(SMALL_N * 0.1)).toBeGreaterThanOrEqual(9);
  });

  it("refuses a negative n", () => {
    expect(() => cnnDefaultsForN(-1)).toThrow(/n must be ≥ 0/);
  });
});
