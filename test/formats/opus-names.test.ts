/**
 * parseOpus / readOpusDirectory: the block labels users see in messages and in the ingest
 * report, directory bounds at their exact limits, short records, and the axis checks' messages.
 */
import { describe, expect, it } from "vitest";
import { parseOpus, readOpusDirectory, readOpusParams } from "../../src/formats/opus.js";
import { formatErrorOf } from "./errors.js";
import { abBlocks, ramp, writeOpus, type OpusBlockSpec } from "./opus-writer.js";

type T4 = [number, number, number, number];
const err = (f: () => unknown) => formatErrorOf(f).message;
const spectrum = { fxv: 1000, lxv: 901, values: ramp(100) };
const data = (type: T4, n = 2): OpusBlockSpec => ({ type, data: ramp(n) });
/** Raw parameter-block bytes as a block (writeOpus writes a data block's bytes as they are). */
const raw = (type: T4, bytes: number[]): OpusBlockSpec => {
  const u8 = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  u8.set(bytes);
  return { type, data: new Float32Array(u8.buffer) };
};
const rec = (name: string, type: number, payload: number[]) => [...Buffer.from(name), 0, type, 0, payload.length / 2, 0, ...payload];
const END = [...Buffer.from("END"), 0, 0, 0, 0, 0];

describe("block labels", () => {
  it("names every kind of block in the directory", () => {
    const types: T4[] = [
      [0, 0, 5, 0],
      [7, 4, 0, 0],
      [7, 8, 0, 0],
      [11, 12, 0, 0],
      [11, 4, 0, 0],
      [15, 16, 0, 0],
      [31, 16, 0, 0],
      [15, 48, 0, 0],
      [31, 4, 0, 64],
      [15, 16, 3, 0],
      [15, 16, 0, 64],
      [160, 0, 0, 0],
      [23, 0, 0, 0],
      [104, 0, 0, 0],
      [200, 1, 2, 3],
    ];
    const dir = readOpusDirectory("n.0", writeOpus(types.map((t) => data(t))));
    expect(dir.map((e) => e.name)).toEqual([
      "directory",
      "text 5",
      "ScSm",
      "ScSm interferogram",
      "ScRf phase",
      "ScRf",
      "AB (15.16.0.0)",
      "AB params (31.16.0.0)",
      "reflectance (15.48.0.0)",
      "spectrum channel 4 before atmospheric compensation params (31.4.0.64)",
      "AB report 3 (15.16.3.0)",
      "AB before atmospheric compensation (15.16.0.64)",
      "sample",
      "ScSm params",
      "optics (Rf)",
      "block 200.1.2.3",
    ]);
  });

  it("a text block of type 0.52 with a report byte is still the directory; 0.x other is text", () => {
    const dir = readOpusDirectory("n.0", writeOpus([data([0, 52, 7, 0]), data([0, 51, 0, 0])]));
    expect(dir.map((e) => e.name)).toEqual(["directory", "directory", "text 0"]);
  });

  it("the labels show in the no-AB message and in an entry's bounds message", () => {
    const f = writeOpus([data([7, 8, 0, 0]), data([15, 48, 0, 0]), { type: [160, 0, 0, 0], params: { SNM: "x" } }]);
    expect(err(() => parseOpus("q.0", f))).toBe(
      "q.0: no absorbance (AB) block; spectrum blocks present: 15.48.0.0 (all blocks: directory, ScSm interferogram, reflectance (15.48.0.0), sample). Save the spectrum with its AB block in OPUS",
    );
    expect(err(() => parseOpus("q.0", f, { block: "15.48.0.0" }))).toBe(
      'q.0: no "15.48.0.0" parameter block; spectrum blocks present: 15.48.0.0 (all blocks: directory, ScSm interferogram, reflectance (15.48.0.0), sample). Set option block to "AB", "AB_no_atm_comp" or one of the codes present',
    );
    const bad = writeOpus([{ ...data([11, 12, 0, 0]), words: 1000 }]);
    expect(err(() => readOpusDirectory("b.0", bad))).toBe(
      `b.0: directory entry 1 (ScRf phase): offset 48, 4000 bytes lies outside the ${bad.length}-byte file; the file is truncated or corrupt (re-copy it from the instrument)`,
    );
  });

  it("lists every spectrum block present when none is the one asked for", () => {
    const f = writeOpus([data([15, 48, 0, 0]), data([15, 4, 0, 64]), data([15, 16, 2, 0])]);
    expect(err(() => parseOpus("two.0", f))).toMatch(
      /^two\.0: no absorbance \(AB\) block; spectrum blocks present: 15\.48\.0\.0, 15\.4\.0\.64 \(all blocks: /,
    );
  });

  it("only spectrum blocks (15.x.0.x) can be chosen by code", () => {
    const f = writeOpus([...abBlocks(spectrum), { type: [32, 0, 0, 0], params: { INS: "x" } }]);
    expect(err(() => parseOpus("c.0", f, { block: "31.16.0.0" }))).toMatch(
      /^c\.0: no "31\.16\.0\.0" block; spectrum blocks present: 15\.16\.0\.0 /,
    );
    expect(err(() => parseOpus("c.0", f, { block: "32.0.0.0" }))).toMatch(/^c\.0: no "32\.0\.0\.0" block;/);
  });
});

describe("directory bounds at their limits", () => {
  const unused = (k: number): OpusBlockSpec[] =>
    Array.from({ length: k }, () => ({ type: [96, 0, 0, 0] as T4, data: new Float32Array(0), words: 0, offset: 0 }));
  it("4096 entries, the directory ending at the end of the file: read (all slots but the directory unused)", () => {
    const f = writeOpus(unused(4095));
    expect(f.length).toBe(24 + 12 * 4096);
    const dir = readOpusDirectory("m.0", f);
    expect(dir.map((e) => e.name)).toEqual(["directory"]);
    expect(dir[0]!.length).toBe(12 * 4096);
  });

  it("4097 entries that fit the file: refused", () => {
    const f = writeOpus(unused(4096));
    expect(err(() => readOpusDirectory("m.0", f))).toBe(
      `m.0: OPUS directory (offset 24, 4097 entries) does not fit the ${f.length}-byte file; the file is truncated or corrupt`,
    );
  });

  it("a block declared twice its length: refused even though a quarter of it would fit", () => {
    const f = writeOpus([
      { type: [160, 0, 0, 0], params: { SNM: "x" } },
      { ...data([15, 16, 0, 0], 100), words: 200 },
    ]);
    expect(err(() => readOpusDirectory("w.0", f))).toMatch(
      /^w\.0: directory entry 2 \(AB \(15\.16\.0\.0\)\): offset \d+, 800 bytes lies outside the \d+-byte file/,
    );
    // a block that ends exactly at the end of the file is fine
    const exact = writeOpus([{ type: [160, 0, 0, 0], params: { SNM: "x" } }, data([15, 16, 0, 0], 100)]);
    expect(readOpusDirectory("w.0", exact).at(-1)!.offset + 400).toBe(exact.length);
  });
});

describe("short parameter records", () => {
  const params = (bytes: number[]) => {
    const f = writeOpus([raw([48, 0, 0, 0], bytes)]);
    return { ...readOpusParams("r.0", f, readOpusDirectory("r.0", f)[1]!) };
  };
  it("an integer record under 4 bytes or a float record under 8 is read as text", () => {
    expect(params([...rec("INT", 0, [0x41, 0x42]), ...rec("FLT", 1, [0x43, 0x44, 0x45, 0x46]), ...END])).toEqual({
      INT: "AB",
      FLT: "CDEF",
    });
    expect(params([...rec("INT", 0, [5, 0, 0, 0]), ...rec("FLT", 1, [0, 0, 0, 0, 0, 0, 0xf8, 0x3f]), ...END])).toEqual({
      INT: 5,
      FLT: 1.5,
    });
  });

  it("a text record without its NUL stops at its size", () => {
    expect(params([...rec("TXT", 2, [0x61, 0x62, 0x63, 0x64]), ...rec("NXT", 2, [0x65, 0x00]), ...END])).toEqual({ TXT: "abcd", NXT: "e" });
    expect(params([...rec("TXT", 3, [0x61, 0x00, 0x63, 0x64]), ...END])).toEqual({ TXT: "a" });
  });
});

describe("axis parameter messages", () => {
  const ab = (p: Record<string, number | { int: number }>) =>
    writeOpus([
      { type: [15, 16, 0, 0], data: ramp(100) },
      { type: [31, 16, 0, 0], params: p },
    ]);
  it("a missing LXV or NPT is named as missing", () => {
    expect(err(() => parseOpus("a.0", ab({ NPT: { int: 100 }, FXV: 1000 })))).toBe(
      "a.0: the 15.16.0.0 parameter block lacks numeric NPT/FXV/LXV (got 100, 1000, missing); the file is corrupt",
    );
    expect(err(() => parseOpus("a.0", ab({ FXV: 1000, LXV: 901 })))).toBe(
      "a.0: the 15.16.0.0 parameter block lacks numeric NPT/FXV/LXV (got missing, 1000, 901); the file is corrupt",
    );
  });

  it("NPT below 2 or above 100,000 points", () => {
    for (const npt of [1, 0, -5, 100_001]) {
      expect(err(() => parseOpus("n.0", ab({ NPT: { int: npt }, FXV: 1000, LXV: 901 })))).toBe(
        `n.0: the 15.16.0.0 block has NPT ${npt} points; expected 2-100000. The file is corrupt (re-copy it from the instrument)`,
      );
    }
  });

  it("FXV/LXV outside the range and the step, each with its message", () => {
    expect(err(() => parseOpus("x.0", ab({ NPT: { int: 100 }, FXV: 1000, LXV: 99 })))).toBe(
      "x.0: the 15.16.0.0 block has LXV 99 cm-1, outside the MIR/NIR range 100-15000 cm-1; the file is corrupt (re-copy it from the instrument) or not a wavenumber axis",
    );
    expect(err(() => parseOpus("x.0", ab({ NPT: { int: 100 }, FXV: 15000.5, LXV: 14000 })))).toMatch(
      /^x\.0: the 15\.16\.0\.0 block has FXV 15000\.5 cm-1, outside/,
    );
    const step = (1000.98 - 1000) / 99; // just under 0.01
    expect(err(() => parseOpus("x.0", ab({ NPT: { int: 100 }, FXV: 1000, LXV: 1000.98 })))).toBe(
      `x.0: the 15.16.0.0 block's axis (FXV 1000, LXV 1000.98, NPT 100) gives a ${step} cm-1 step; expected 0.01-100 cm-1. The file is corrupt`,
    );
    expect(parseOpus("x.0", ab({ NPT: { int: 100 }, FXV: 1000, LXV: 1000.99 })).wavenumbers[99]).toBeCloseTo(1000.99, 9);
  });
});
