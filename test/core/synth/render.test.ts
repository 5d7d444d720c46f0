import { describe, expect, it } from "vitest";
import { renderThroughInstruments, sampleSoils } from "../../../src/core/synth/render.js";
import { makeGrid } from "../../../src/core/synth/instruments.js";
import { SOURCES } from "../../../src/core/synth/sources.js";

const soils = sampleSoils(14, 3);
const instruments = SOURCES.map((s) => s.instrument);

describe("renderThroughInstruments", () => {
  it("renders the same soils through every instrument: one block each, native grid and unit, <soil>@<source> ids", () => {
    const blocks = renderThroughInstruments(soils, instruments, 5);
    expect(blocks.map((b) => b.source)).toEqual(SOURCES.map((s) => s.name));
    blocks.forEach((b, t) => {
      expect(b.unit).toBe(instruments[t]!.unit);
      expect(Array.from(b.wavenumbers)).toEqual(Array.from(makeGrid(instruments[t]!.grid)));
      expect(b.values.length).toBe(soils.length * b.wavenumbers.length);
      expect(b.ids[0]).toBe(`soil-000001@${b.source}`);
      expect(b.values.every(Number.isFinite)).toBe(true);
    });
    expect(renderThroughInstruments(soils, instruments, 5)[3]!.values).toEqual(blocks[3]!.values);
    expect(sampleSoils(14, 3).map((s) => s.cTrue)).toEqual(soils.map((s) => s.cTrue));
  });

  it("shares a soil's scan effects across instruments unless rescan is independent", () => {
    const ref = instruments[0]!;
    const quiet = { ...ref, noiseSd: 0, co2Sd: 0 };
    const twin = [quiet, { ...quiet, source: "twin" }];
    const [a, b] = renderThroughInstruments(soils, twin, 9);
    expect(Array.from(b!.values)).toEqual(Array.from(a!.values));
    const [c, d] = renderThroughInstruments(soils, twin, 9, { rescan: "independent" });
    expect(Array.from(d!.values)).not.toEqual(Array.from(c!.values));
    // an offset-only instrument differs from the reference by exactly its offset
    const [r, o] = renderThroughInstruments(soils, [quiet, { ...quiet, source: "off", baselineOffset: 0.1 }], 9);
    for (let j = 0; j < r!.values.length; j += 97) expect(o!.values[j]! - r!.values[j]!).toBeCloseTo(0.1, 5);
  });
});
