/**
 * parseOpus on synthetic files that exercise the number paths the fixtures do not: the scaling
 * factor CSF (values × CSF; 0 or absent = 1), int32 data (DPF 2), padding after NPT, the axis
 * limits themselves (2 points, 100 and 15000 cm-1, a 0.01 and a 100 cm-1 step) and the
 * parameters merged from the sample/instrument blocks.
 */
import { describe, expect, it } from "vitest";
import { OPUS_MAX_PADDING, parseOpus } from "../../src/formats/opus.js";
import { formatErrorOf } from "./errors.js";
import { writeOpus, type OpusParamValue } from "./opus-writer.js";

/** One AB spectrum with its parameter block `p` (data given as float32 or as raw int32). */
function file(data: Float32Array | Int32Array, p: Record<string, OpusParamValue>, words?: number): Uint8Array {
  const bytes = new Float32Array(data.buffer, data.byteOffset, data.length);
  return writeOpus([
    { type: [160, 0, 0, 0], params: { SNM: "soil 7", CNM: "lab" } },
    { type: [32, 0, 0, 0], params: { INS: "SYNTH", RES: 4, NSS: { int: 32 } } },
    { type: [15, 16, 0, 0], data: bytes, ...(words === undefined ? {} : { words }) },
    { type: [31, 16, 0, 0], params: p },
  ]);
}
const axis = (npt: number, fxv = 1000, lxv = fxv - 10 * (npt - 1)) => ({ NPT: { int: npt }, FXV: fxv, LXV: lxv });

describe("parseOpus: values", () => {
  it("multiplies by CSF; CSF 0 or absent means 1", () => {
    const v = Float32Array.of(0.5, 1.25, -0.75, 2);
    expect([...parseOpus("a.0", file(v, { ...axis(4), DPF: { int: 1 }, CSF: 2.5 })).values]).toEqual([1.25, 3.125, -1.875, 5]);
    expect([...parseOpus("b.0", file(v, { ...axis(4), CSF: 0 })).values]).toEqual([0.5, 1.25, -0.75, 2]);
    expect([...parseOpus("c.0", file(v, axis(4))).values]).toEqual([0.5, 1.25, -0.75, 2]);
  });

  it("DPF 2: int32 values scaled by CSF", () => {
    const s = parseOpus("i.0", file(Int32Array.of(1000, -250, 4, 0), { ...axis(4), DPF: { int: 2 }, CSF: 0.001 }));
    expect([...s.values]).toEqual([1000, -250, 4, 0].map((x) => Math.fround(x * 0.001)));
  });

  it("a scaled value past float32 is refused, naming the CSF", () => {
    const e = formatErrorOf(() => parseOpus("o.0", file(Float32Array.of(1, 3e38), { ...axis(2), CSF: 10 })));
    expect(e.message).toContain("holds a non-finite value (Infinity after scaling by CSF 10) at point 2 of 2");
  });

  it("padding after NPT: up to 64 values + 1 % of NPT accepted, one more refused", () => {
    const npt = 100;
    const ok = new Float32Array(npt + OPUS_MAX_PADDING + 1).fill(0.5);
    expect(parseOpus("p.0", file(ok, axis(npt, 4000))).values).toHaveLength(npt);
    const bad = new Float32Array(npt + OPUS_MAX_PADDING + 2).fill(0.5);
    expect(formatErrorOf(() => parseOpus("q.0", file(bad, axis(npt, 4000)))).message).toContain("holds 166 values but NPT says 100");
  });
});

describe("parseOpus: the axis", () => {
  it("accepts its limits: 2 points, 100 and 15000 cm-1, steps of 0.01 and 100 cm-1", () => {
    const two = parseOpus("t.0", file(Float32Array.of(1, 2), axis(2, 15000, 14900)));
    expect([...two.wavenumbers]).toEqual([15000, 14900]);
    expect([...parseOpus("u.0", file(Float32Array.of(1, 2), axis(2, 100, 100.01))).wavenumbers]).toEqual([100, 100.01]);
    const five = parseOpus("v.0", file(new Float32Array(5).fill(1), axis(5, 1000, 600)));
    expect([...five.wavenumbers]).toEqual([1000, 900, 800, 700, 600]);
  });

  it("refuses one point, and steps just outside 0.01–100 cm-1", () => {
    expect(formatErrorOf(() => parseOpus("w.0", file(Float32Array.of(1), axis(1)))).message).toContain(
      "has NPT 1 points; expected 2-100000",
    );
    expect(formatErrorOf(() => parseOpus("x.0", file(Float32Array.of(1, 2), axis(2, 1000, 1000.009)))).message).toContain(
      "cm-1 step; expected 0.01-100 cm-1",
    );
    expect(formatErrorOf(() => parseOpus("y.0", file(Float32Array.of(1, 2), axis(2, 1000, 899.9)))).message).toContain(
      "cm-1 step; expected 0.01-100 cm-1",
    );
    expect(formatErrorOf(() => parseOpus("z.0", file(Float32Array.of(1, 2), axis(2, 99.9, 150)))).message).toContain(
      "FXV 99.9 cm-1, outside the MIR/NIR range 100-15000 cm-1",
    );
    expect(formatErrorOf(() => parseOpus("z.0", file(Float32Array.of(1, 2), axis(2, 1000, 15000.5)))).message).toContain(
      "LXV 15000.5 cm-1, outside",
    );
  });
});

describe("parseOpus: parameters", () => {
  it("merges the sample and instrument blocks' parameters (text, float64, int32) under the AB block's", () => {
    const s = parseOpus("m.0", file(Float32Array.of(1, 2), { ...axis(2, 1000, 990), DPF: { int: 1 }, CSF: 1 }));
    expect(s.params).toMatchObject({ SNM: "soil 7", CNM: "lab", INS: "SYNTH", RES: 4, NSS: 32, NPT: 2, FXV: 1000, LXV: 990, CSF: 1 });
  });
});
