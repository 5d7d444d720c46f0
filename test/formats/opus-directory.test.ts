/**
 * readOpusDirectory / readOpusParams / block choice on synthetic files: the header and
 * directory bounds (each check alone), unused slots, a parameter block shorter than its
 * records, report blocks that are not spectra, and the parameter block matched to the AB block.
 */
import { describe, expect, it } from "vitest";
import { opusSpectrumBlocks, parseOpus, readOpusDirectory, readOpusParams } from "../../src/formats/opus.js";
import { formatErrorOf } from "./errors.js";
import { abBlocks, opusFile, ramp, writeOpus, type OpusBlockSpec } from "./opus-writer.js";

const spectrum = { fxv: 1000, lxv: 901, values: ramp(100) };
/** A copy of `bytes` with int32 `v` written at byte `at`. */
const patched = (bytes: Uint8Array, at: number, v: number) => {
  const b = bytes.slice();
  new DataView(b.buffer).setInt32(at, v, true);
  return b;
};
const err = (f: () => unknown) => formatErrorOf(f).message;

describe("readOpusDirectory", () => {
  it("a header alone (24 bytes) is long enough to be read, and then its directory does not fit", () => {
    const head = opusFile([spectrum]).slice(0, 24);
    expect(err(() => readOpusDirectory("h.0", head))).toBe(
      "h.0: OPUS directory (offset 24, 5 entries) does not fit the 24-byte file; the file is truncated or corrupt",
    );
    expect(err(() => readOpusDirectory("s.0", Uint8Array.of(0, 1, 2, 3, ...new Array(20).fill(0))))).toBe(
      "s.0: not a Bruker OPUS file: starts with 00 01 02 03, expected 0a 0a fe fe",
    );
  });

  it("each directory bound alone: no entries, over 4096, offset inside the header, past the end", () => {
    const f = opusFile([spectrum]);
    expect(err(() => readOpusDirectory("a.0", patched(f, 20, 0)))).toMatch(/OPUS directory \(offset 24, 0 entries\) does not fit/);
    expect(err(() => readOpusDirectory("b.0", patched(f, 20, 4097)))).toMatch(/4097 entries\) does not fit/);
    expect(err(() => readOpusDirectory("c.0", patched(f, 12, 20)))).toMatch(/OPUS directory \(offset 20, 5 entries\) does not fit/);
    const many = Math.floor((f.length - 24) / 12) + 1; // one entry more than the file holds
    expect(err(() => readOpusDirectory("d.0", patched(f, 20, many)))).toMatch(
      new RegExp(`${many} entries\\) does not fit the ${f.length}-byte file`),
    );
  });

  it("reads each entry's type bytes, skips unused slots, and refuses entries outside the file", () => {
    const blocks: OpusBlockSpec[] = [
      { type: [160, 0, 0, 0], params: { SNM: "x" } },
      ...abBlocks(spectrum),
      { type: [96, 1, 2, 3], words: 0, offset: 0 },
    ];
    const dir = readOpusDirectory("e.0", writeOpus(blocks));
    expect(dir.map((e) => e.type)).toEqual([
      [0, 52, 0, 0],
      [160, 0, 0, 0],
      [15, 16, 0, 0],
      [31, 16, 0, 0],
    ]);
    expect(dir[2]!.length).toBe(400);
    const at = (spec: Partial<OpusBlockSpec>) =>
      writeOpus([...blocks.slice(0, 3), { type: [48, 0, 0, 0], params: { APT: "1 mm" }, ...spec }]);
    expect(readOpusDirectory("z.0", at({ words: 0 })).at(-1)!.length).toBe(0);
    expect(err(() => readOpusDirectory("f.0", at({ offset: 0 })))).toMatch(
      /directory entry 4 \(.*\): offset 0, \d+ bytes lies outside the \d+-byte file/,
    );
    expect(err(() => readOpusDirectory("g.0", at({ words: -1 })))).toMatch(/directory entry 4 \(.*\): offset \d+, -4 bytes lies outside/);
    expect(err(() => readOpusDirectory("i.0", at({ words: 10_000 })))).toMatch(
      /directory entry 4 \(.*\): offset \d+, 40000 bytes lies outside/,
    );
  });
});

describe("readOpusParams", () => {
  it("stops at the block's declared end; a record running past it is refused", () => {
    const file = (words: number) => writeOpus([{ type: [32, 0, 0, 0], params: { AAA: { int: 7 }, BBB: { int: 9 } }, words }]);
    const entry = (f: Uint8Array) => readOpusDirectory("p.0", f)[1]!;
    const three = file(3); // the first record only (8-byte header + 4-byte int)
    expect({ ...readOpusParams("p.0", three, entry(three)) }).toEqual({ AAA: 7 });
    const five = file(5); // BBB's header fits, its value does not
    expect(err(() => readOpusParams("p.0", five, entry(five)))).toMatch(
      /parameter BBB of the .* block runs past the end of the block \(offset \d+\)/,
    );
    const all = file(7);
    expect({ ...readOpusParams("p.0", all, entry(all)) }).toEqual({ AAA: 7, BBB: 9 });
  });
});

describe("block choice", () => {
  const report = { type: [15, 16, 1, 0] as [number, number, number, number], data: ramp(100, 0.5) };
  const withReport = writeOpus([
    report,
    { type: [31, 16, 1, 0], params: { NPT: { int: 100 }, FXV: 1000, LXV: 901 } },
    ...abBlocks(spectrum),
  ]);

  it("report blocks (text type ≠ 0) are not spectra and cannot be chosen", () => {
    expect(opusSpectrumBlocks(readOpusDirectory("r.0", withReport))).toEqual(["15.16.0.0"]);
    expect(err(() => parseOpus("r.0", withReport, { block: "15.16.1.0" }))).toMatch(
      /^r\.0: no "15\.16\.1\.0" block; spectrum blocks present: 15\.16\.0\.0 /,
    );
    expect([...parseOpus("r.0", withReport, { block: "15.16.0.0" }).values]).toEqual([...spectrum.values]);
  });

  it("the parameter block must match the AB block's type, and the message says which is missing", () => {
    const [data, params] = abBlocks(spectrum);
    const f = writeOpus([data!, { ...params!, type: [31, 16, 0, 64] }]);
    expect(err(() => parseOpus("m.0", f))).toMatch(
      /^m\.0: no absorbance \(AB\) parameter block; spectrum blocks present: 15\.16\.0\.0 \(all blocks: directory, .+\)\. Save the spectrum with its AB block in OPUS$/,
    );
    const none = writeOpus([{ type: [160, 0, 0, 0], params: { SNM: "x" } }]);
    expect(err(() => parseOpus("n.0", none, { block: "15.16.0.64" }))).toMatch(
      /^n\.0: no "15\.16\.0\.64" block; spectrum blocks present: none \(all blocks: directory, .+\)\. Set option block to "AB", "AB_no_atm_comp" or one of the codes present$/,
    );
  });
});

describe("parseOpus: the AB parameter block's contents", () => {
  const data = (n: number) => ({ type: [15, 16, 0, 0] as [number, number, number, number], data: ramp(n) });
  const params = (p: Record<string, import("./opus-writer.js").OpusParamValue>) => ({
    type: [31, 16, 0, 0] as [number, number, number, number],
    params: p,
  });

  it("names missing or non-numeric NPT/FXV/LXV and a non-finite CSF", () => {
    expect(err(() => parseOpus("a.0", writeOpus([data(100), params({ NPT: { int: 100 }, LXV: 901 })])))).toContain(
      "the 15.16.0.0 parameter block lacks numeric NPT/FXV/LXV (got 100, missing, 901); the file is corrupt",
    );
    expect(err(() => parseOpus("b.0", writeOpus([data(100), params({ NPT: "100", FXV: 1000, LXV: 901 })])))).toContain(
      '(got "100", 1000, 901)',
    );
    expect(
      err(() => parseOpus("c.0", writeOpus([data(100), params({ NPT: { int: 100 }, FXV: 1000, LXV: 901, CSF: Infinity })]))),
    ).toContain("the 15.16.0.0 block has scaling factor CSF Infinity; the file is corrupt");
    expect(err(() => parseOpus("d.0", writeOpus([data(100), params({ NPT: 2.5, FXV: 1000, LXV: 901 })])))).toContain("has NPT 2.5 points");
  });

  it("reads an AB block that ends the file; 100,000 points and a 0.01 cm-1 step are allowed", () => {
    const last = parseOpus("e.0", writeOpus([params({ NPT: { int: 100 }, FXV: 1000, LXV: 901 }), data(100)]));
    expect([...last.values]).toEqual([...ramp(100)]);
    const big = parseOpus("f.0", writeOpus([data(100_000), params({ NPT: { int: 100_000 }, FXV: 15000, LXV: 5000.1 })]));
    expect(big.values).toHaveLength(100_000);
    const fine = parseOpus("g.0", writeOpus([data(26), params({ NPT: { int: 26 }, FXV: 100.25, LXV: 100.5 })]));
    expect(fine.wavenumbers[25]).toBe(100.5);
  });

  it("takes parameters from the optics (48) block, and only up to a block's END", () => {
    const f = writeOpus([
      { type: [48, 0, 0, 0], params: { APT: "1 mm" }, words: 6 + 4 }, // declared over the next block too
      { type: [160, 0, 0, 0], params: { SNM: { int: 3 } } },
      data(100),
      params({ NPT: { int: 100 }, FXV: 1000, LXV: 901 }),
    ]);
    const s = parseOpus("h.0", f);
    expect(s.params.APT).toBe("1 mm");
    expect(s.params.SNM).toBe(3);
    expect({ ...readOpusParams("h.0", f, readOpusDirectory("h.0", f)[1]!) }).toEqual({ APT: "1 mm" });
  });

  it("a parameter block of another channel or text type is not the AB block's", () => {
    for (const type of [
      [31, 48, 0, 0],
      [31, 16, 1, 0],
    ] as [number, number, number, number][]) {
      const f = writeOpus([data(100), { ...params({ NPT: { int: 100 }, FXV: 1000, LXV: 901 }), type }]);
      expect(err(() => parseOpus("i.0", f))).toMatch(/no absorbance \(AB\) parameter block/);
    }
  });
});
