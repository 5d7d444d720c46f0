import { describe, expect, it } from "vitest";
import { componentMatrix, COMPONENTS } from "../../../src/core/synth/bands.js";
import { makeGrid } from "../../../src/core/synth/instruments.js";
import { DEFECTS, generateLibrary, sourceCounts } from "../../../src/core/synth/library.js";
import { SOURCES } from "../../../src/core/synth/sources.js";
import { blockRow, blockShape } from "../../../src/core/spectra/block.js";
import { numberColumn, textColumn } from "../../../src/core/table.js";

const N = 1400;
const lib = generateLibrary({ n: N, seed: 42 });
const truth = lib.truth;
const cTrue = numberColumn(truth, "c_true_gkg");
const omTrue = numberColumn(truth, "om_true_gkg");
const defect = textColumn(truth, "defect");
const c = numberColumn(lib.samples, "c_gkg");
const om = numberColumn(lib.samples, "om_gkg");
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const rows = (pred: (i: number) => boolean) => Array.from({ length: N }, (_, i) => i).filter(pred);

describe("band placement", () => {
  const grid = makeGrid({ start: 600, end: 4000, step: 1 });
  const k = componentMatrix(grid);
  const peak = (name: (typeof COMPONENTS)[number], lo: number, hi: number) => {
    const c0 = COMPONENTS.indexOf(name) * grid.length;
    let best = lo;
    for (let w = lo; w <= hi; w++) if (k[c0 + w - 600]! > k[c0 + best - 600]!) best = w;
    return best;
  };
  it("puts the literature bands where they belong (within 2 cm-1 where bands overlap)", () => {
    expect(Math.abs(peak("om_aliphatic", 2700, 3000) - 2920)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("om_carbohydrate", 1680, 1760) - 1720)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("kaolinite", 3660, 3750) - 3695)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("kaolinite", 3600, 3640) - 3620)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("quartz", 1850, 2050) - 1990)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("quartz", 790, 820) - 800)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("carbonate", 2400, 2600) - 2520)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("carbonate", 850, 900) - 875)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("carbonate", 1300, 1600) - 1450)).toBeLessThanOrEqual(2);
    expect(Math.abs(peak("water", 3000, 3800) - 3400)).toBeLessThanOrEqual(25); // broad band "~3400"
  });
});

describe("generateLibrary", () => {
  it("is deterministic from the seed", () => {
    const again = generateLibrary({ n: 200, seed: 7 });
    const same = generateLibrary({ n: 200, seed: 7 });
    const other = generateLibrary({ n: 200, seed: 8 });
    expect(Array.from(same.blocks[1]!.values)).toEqual(Array.from(again.blocks[1]!.values));
    expect(same.samples).toEqual(again.samples);
    expect(Array.from(other.blocks[1]!.values.subarray(0, 50))).not.toEqual(Array.from(again.blocks[1]!.values.subarray(0, 50)));
  });

  it("has >= 6 sources, each its own instrument, grid and unit, one reference", () => {
    expect(lib.blocks.length).toBeGreaterThanOrEqual(6);
    expect(new Set(lib.blocks.map((b) => b.instrument)).size).toBe(lib.blocks.length);
    expect(new Set(lib.blocks.map((b) => b.unit))).toEqual(new Set(["absorbance", "reflectance", "reflectance_percent"]));
    expect(lib.blocks.some((b) => b.wavenumbers[0]! > b.wavenumbers[1]!)).toBe(true);
    for (const b of lib.blocks) {
      blockShape(b);
      expect(Math.min(b.wavenumbers[0]!, b.wavenumbers.at(-1)!)).toBeGreaterThanOrEqual(600);
      expect(Math.max(b.wavenumbers[0]!, b.wavenumbers.at(-1)!)).toBeLessThanOrEqual(4000);
    }
    expect(lib.instruments.filter((i) => i.reference).map((i) => i.source)).toEqual(["kssl-like"]);
    expect(lib.instruments.reduce((s, i) => s + i.samples, 0)).toBe(N);
    expect(sourceCounts(60, SOURCES).every((x) => x > 0)).toBe(true);
    // Rows of samples and blocks line up by id.
    const ids = textColumn(lib.samples, "sample_id");
    expect(lib.blocks.flatMap((b) => b.ids)).toEqual(ids);
  });

  it("respects physical limits and the OM/C ratio", () => {
    const ratio = Array.from(numberColumn(truth, "om_c_ratio"));
    for (let i = 0; i < N; i++) {
      expect(cTrue[i]!).toBeGreaterThan(0);
      expect(cTrue[i]!).toBeLessThanOrEqual(580);
      expect(omTrue[i]!).toBeLessThanOrEqual(1000);
      expect(omTrue[i]!).toBeGreaterThanOrEqual(cTrue[i]!);
      expect(ratio[i]!).toBeGreaterThanOrEqual(1.4 - 1e-9);
      expect(ratio[i]!).toBeLessThanOrEqual(2.5 + 1e-9);
    }
    expect(mean(ratio)).toBeGreaterThan(1.8);
    expect(mean(ratio)).toBeLessThan(1.95);
  });

  it("gives heavy-tailed C that falls with depth", () => {
    const sorted = Array.from(cTrue).sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.floor(p * (N - 1))]!;
    expect(q(0.5)).toBeGreaterThan(4);
    expect(q(0.5)).toBeLessThan(25);
    expect(q(0.25)).toBeGreaterThan(1.5);
    expect(q(0.9)).toBeLessThan(80);
    expect(sorted.filter((x) => x > 150).length).toBeGreaterThan(N * 0.01);
    const top = numberColumn(lib.samples, "depth_top_cm");
    const bottom = numberColumn(lib.samples, "depth_bottom_cm");
    expect(Math.max(...bottom)).toBeLessThanOrEqual(200);
    const logC = (p: (i: number) => boolean) => mean(rows((i) => p(i) && !truth.organic_soil![i]).map((i) => Math.log(cTrue[i]!)));
    expect(logC((i) => top[i]! < 20)).toBeGreaterThan(logC((i) => top[i]! >= 80) + 0.5);
    const lat = numberColumn(lib.samples, "lat");
    expect(Math.min(...lat)).toBeLessThan(-20);
    expect(Math.max(...lat)).toBeGreaterThan(50);
  });

  it("measures C for ~90 % and OM for ~10 % of samples, partly overlapping", () => {
    const hasC = rows((i) => !Number.isNaN(c[i]!)).length / N;
    const hasOm = rows((i) => !Number.isNaN(om[i]!)).length / N;
    expect(hasC).toBeGreaterThan(0.86);
    expect(hasC).toBeLessThan(0.94);
    expect(hasOm).toBeGreaterThan(0.07);
    expect(hasOm).toBeLessThan(0.13);
    expect(rows((i) => !Number.isNaN(c[i]!) && !Number.isNaN(om[i]!)).length).toBeGreaterThan(0);
    expect(rows((i) => Number.isNaN(c[i]!) && !Number.isNaN(om[i]!)).length).toBeGreaterThan(0);
    const cm = textColumn(lib.samples, "c_method");
    expect(rows((i) => (cm[i] === null) !== Number.isNaN(c[i]!)).length).toBe(0);
  });

  it("biases reported values by method: Walkley-Black ~0.76x, LOI above truth with clay", () => {
    const cm = textColumn(lib.samples, "c_method");
    const clean = (i: number) => defect[i] === null;
    const wb = rows((i) => clean(i) && cm[i] === "walkley_black").map((i) => c[i]! / cTrue[i]!);
    const dc = rows((i) => clean(i) && cm[i] === "dry_combustion" && cTrue[i]! > 5).map((i) => c[i]! / cTrue[i]!);
    expect(wb.length).toBeGreaterThan(30);
    expect(mean(wb)).toBeCloseTo(0.76, 1);
    expect(mean(dc)).toBeCloseTo(1, 1);
    const loi = rows((i) => clean(i) && !Number.isNaN(om[i]!));
    expect(mean(loi.map((i) => om[i]! - omTrue[i]!))).toBeGreaterThan(5);
  });

  it("injects every defect kind at ~3 % and records it", () => {
    const kinds = new Set(defect.filter((d) => d !== null));
    expect(kinds).toEqual(new Set(DEFECTS));
    const rate = defect.filter((d) => d !== null).length / N;
    expect(rate).toBeGreaterThan(0.02);
    expect(rate).toBeLessThan(0.04);
    const ids = textColumn(lib.samples, "sample_id");
    const src = textColumn(lib.samples, "source");
    for (const i of rows((i) => defect[i] === "duplicate_id")) {
      expect(rows((j) => ids[j] === ids[i] && src[j] !== src[i]).length).toBe(1);
    }
    for (const i of rows((i) => defect[i] === "impossible")) expect(c[i]! < 0 || om[i]! < c[i]!).toBe(true);
    for (const i of rows((i) => defect[i] === "unit_percent")) expect(c[i]!).toBeLessThan(cTrue[i]! / 5);
    const rowOf = (i: number) => {
      const s = src[i]!;
      const b = lib.blocks.find((x) => x.source === s)!;
      return blockRow(b, b.ids.indexOf(ids[i]!));
    };
    for (const i of rows((i) => defect[i] === "flat")) {
      const r = Array.from(rowOf(i));
      expect(Math.max(...r) - Math.min(...r)).toBeLessThan(0.01 * (Math.abs(mean(r)) + 0.01) + 0.002);
    }
    for (const i of rows((i) => defect[i] === "saturated" && src[i] === "kssl-like")) {
      const r = Array.from(rowOf(i));
      const top = Math.max(...r);
      expect(r.filter((v) => v === top).length).toBeGreaterThan(20);
    }
  });

  it("leaves OM and carbonate visible in the reference spectra", () => {
    const b = lib.blocks.find((x) => x.source === "kssl-like")!;
    const at = (w: number) => Array.from(b.wavenumbers).indexOf(w);
    const ids = textColumn(lib.samples, "sample_id");
    const rowIndex = new Map(ids.map((id, i) => [id, i] as const));
    const omFrac = numberColumn(truth, "om_frac");
    const carb = numberColumn(truth, "carbonate");
    const x: number[] = [];
    const y: number[] = [];
    const withCarb: number[] = [];
    const noCarb: number[] = [];
    b.ids.forEach((id, r) => {
      const i = rowIndex.get(id)!;
      if (defect[i] !== null) return;
      const row = blockRow(b, r);
      x.push(row[at(2920)]! - row[at(2780)]!);
      y.push(Math.log(omFrac[i]!));
      (carb[i]! > 0.05 ? withCarb : carb[i] === 0 ? noCarb : []).push(row[at(2520)]! - row[at(2600)]!);
    });
    const mx = mean(x);
    const my = mean(y);
    const cov = mean(x.map((v, k) => (v - mx) * (y[k]! - my)));
    const sd = (a: number[], m: number) => Math.sqrt(mean(a.map((v) => (v - m) ** 2)));
    expect(cov / (sd(x, mx) * sd(y, my))).toBeGreaterThan(0.5);
    expect(mean(withCarb)).toBeGreaterThan(mean(noCarb) + 0.02);
  });
});
