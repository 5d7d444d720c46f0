import { describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/engine/checks.js";
import { UsageError } from "../../src/engine/errors.js";
import type { MetricRow } from "../../src/contracts/metrics.js";

const row = (step: string, target: string, scale: string, rmse: number, r2: number): MetricRow => ({
  step,
  model: "m",
  target,
  split: "test",
  scale,
  group: "all",
  n: 100,
  r2,
  rmse,
  mae: null,
  bias: null,
  rpiq: null,
  rpd: null,
  ccc: null,
  pi_level: 0.9,
  pi_coverage: 0.9,
  pi_width: null,
});
const rows = [row("cnn", "c", "gkg", 30, 0.9), row("cnn", "c", "log1p", 0.3, 0.8), row("plsr", "c", "gkg", 40, 0.7)];

describe("evaluateChecks", () => {
  it("compares with numbers, ranges and other metrics of the run", () => {
    const r = evaluateChecks(
      {
        "cnn.c.r2": ">= 0.85",
        "cnn.c.r2@scale=log1p": "> 0.85",
        "cnn.c.pi_coverage": "0.88..0.92",
        "cnn.c.rmse": "<= 0.8 * plsr.c.rmse",
        "plsr.c.rmse": "< cnn.c.rmse",
      },
      rows,
    );
    expect(r.map((x) => x.ok)).toEqual([true, false, true, true, false]);
    expect(r[3]!.note).toBe("plsr.c.rmse = 40.00");
  });

  it("fails a check whose metric or reference is missing, and rejects malformed ones", () => {
    const r = evaluateChecks({ "ghost.c.r2": ">= 0", "cnn.c.rmse": "<= 0.8 * ghost.c.rmse" }, rows);
    expect(r.map((x) => [x.ok, x.note])).toEqual([
      [false, "no metric row matches"],
      [false, "reference ghost.c.rmse not found"],
    ]);
    expect(() => evaluateChecks({ "cnn.c.r2": "about 1" }, rows)).toThrow(UsageError);
    expect(() => evaluateChecks({ "cnn.c.speed": ">= 1" }, rows)).toThrow(/metric one of/);
    expect(() => evaluateChecks({ "cnn.c.r2@fold=1": ">= 1" }, rows)).toThrow(/selector "fold=1"/);
  });
});
