import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOpus, readOpusDirectory } from "../../src/formats/opus.js";
import { abBlocks, opusFile, ramp, writeOpus } from "./opus-writer.js";
import { buildOpusLibrary, interpolateTo } from "../../src/formats/opus-library.js";
import { numberColumn } from "../../src/core/table.js";
import { describeWithSharedData, sharedPath } from "../helpers/shared-data.js";
import { formatErrorOf } from "./errors.js";

describe("OPUS errors", () => {
  it("rejects a file that is not OPUS", () => {
    expect(formatErrorOf(() => parseOpus("x.0", Buffer.from("sample_id,wn_1\na,1\n some more text"))).message).toMatch(
      /not a Bruker OPUS file: starts with 73 61 6d 70/,
    );
  });
  it("rejects a file shorter than the header", () => {
    expect(formatErrorOf(() => parseOpus("x.0", new Uint8Array(10))).message).toMatch(/too short/);
  });
  it("interpolates onto another grid, either direction, and refuses to extrapolate", () => {
    const v = interpolateTo(Float64Array.from([4, 3, 2, 1]), Float32Array.from([40, 30, 20, 10]), Float64Array.from([1.5, 2.5, 4]));
    expect(Array.from(v)).toEqual([15, 25, 40]);
    expect(() => interpolateTo(Float64Array.from([4, 3, 2, 1]), Float32Array.from([40, 30, 20, 10]), Float64Array.from([1.5, 5]))).toThrow(
      /5 cm-1 lies outside/,
    );
  });
});

describeWithSharedData("OPUS fixtures (../shared/data/ossl-samples)", () => {
  const kssl = () => readFileSync(sharedPath("ossl-samples", "235157XS01.0"));
  const icraf = () => readFileSync(sharedPath("ossl-samples", "icr056141.0"));

  it("reads the directory of the KSSL Vertex file", () => {
    const dir = readOpusDirectory("k", kssl());
    expect(dir.length).toBe(24);
    expect(dir.find((e) => e.type[0] === 15 && e.type[2] === 0)).toMatchObject({
      name: "AB (15.16.0.0)",
      offset: 133864,
      length: 3578 * 4,
    });
  });

  it("KSSL Vertex: AB spectrum, its grid, and values matching the stored min/max", () => {
    const s = parseOpus("235157XS01.0", kssl());
    expect(s.values.length).toBe(3578);
    expect(s.wavenumbers[0]).toBeCloseTo(7498.0428, 3);
    expect(s.wavenumbers[3577]).toBeCloseTo(599.7663, 3);
    expect(s.params.INS).toBe("VERTEX 70");
    expect(String(s.params.SNM)).toContain("235157");
    expect(Math.max(...s.values)).toBeCloseTo(s.params.MXY as number, 6);
    expect(Math.min(...s.values)).toBeCloseTo(s.params.MNY as number, 6);
  });

  it("KSSL Vertex: same grid as the OSSL KSSL Vertex CSV (4001.656 cm-1 falls on a point)", () => {
    // The sample itself is not among the CSV's 20 rows (ids 1-20), so the cross-check is the grid
    // and the value range of an absorbance spectrum from the same instrument type.
    const s = parseOpus("235157XS01.0", kssl());
    const lines = readFileSync(sharedPath("ossl-samples", "sample_mir_data_kssl_vertex.csv"), "utf8").trim().split("\n");
    const wn = lines[0]!
      .split(",")
      .slice(1)
      .map((x) => Number(x.replaceAll('"', "")));
    const step = s.wavenumbers[1]! - s.wavenumbers[0]!;
    const k = Math.round((wn[0]! - s.wavenumbers[0]!) / step);
    for (const j of [0, 500, wn.length - 1]) expect(s.wavenumbers[k + j]!).toBeCloseTo(wn[j]!, 2);
    const csvRow = lines[1]!.split(",").slice(1).map(Number);
    const csvRange = [Math.min(...csvRow), Math.max(...csvRow)];
    const opus = s.values.subarray(k, k + wn.length);
    expect(Math.max(...opus)).toBeLessThan(csvRange[1]! + 1.5);
    expect(Math.min(...opus)).toBeGreaterThan(-1);
  });

  it("ICRAF Alpha: AB block padded past NPT", () => {
    const s = parseOpus("icr056141.0", icraf());
    expect(s.values.length).toBe(1715);
    expect(s.wavenumbers[0]).toBeCloseTo(3996.481, 3);
    expect(s.params.INS).toBe("Alpha");
    expect(Math.min(...s.values)).toBeCloseTo(s.params.MNY as number, 6);
  });

  it("truncated file: clear error, never a partial spectrum", () => {
    const b = kssl();
    for (const cut of [20, 200, 140000]) {
      const e = formatErrorOf(() => parseOpus("235157XS01.0", b.subarray(0, cut)));
      expect(e.message).toMatch(/235157XS01\.0: .*(too short|truncated)/);
    }
  });

  it("library: replicates averaged, other grids interpolated, lab table joined", () => {
    const a = kssl();
    const lab = "sample_id,oc_pct,om_pct\n235157XS01,1.2,2.5\nicr056141,0.8,\norphan,1,2\n";
    const r = buildOpusLibrary(
      [
        { name: "/x/235157XS01.0", bytes: a },
        { name: "/x/235157XS01.1", bytes: a },
        { name: "/x/icr056141.0", bytes: icraf() },
      ],
      {
        idPattern: /^(.+?)\.\d+$/,
        source: "mylab",
        lab: {
          file: "lab.csv",
          text: lab,
          idColumn: "sample_id",
          targets: { c: { column: "oc_pct", unit: "percent" }, om: { column: "om_pct", unit: "percent", method: "loi" } },
        },
      },
    );
    expect(r.samples.sample_id).toEqual(["235157XS01", "icr056141"]);
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([12, 8]);
    expect(Array.from(numberColumn(r.samples, "om_gkg"))).toEqual([25, NaN]);
    expect(r.report.replicate_scans_averaged).toBe(2);
    expect(r.report.spectra_regridded).toBe(1);
    // the KSSL axis (7498-600) is the most common; ICRAF's (3996-500) cuts it to 3996-600
    expect(r.report.axis_trimmed_by_files).toEqual(["icr056141.0"]);
    expect(r.report.wavenumber_range[1]).toBeLessThanOrEqual(3996.49);
    expect(r.report.lab_rows_without_spectrum_ids).toEqual(["orphan"]);
    const b = r.blocks[0]!;
    expect(b.instrument).toBe("VERTEX 70");
    // the grid starts where ICRAF's axis starts: KSSL point k is the library's point k - k0
    const k0 = Math.round((7498.042822564453 - b.wavenumbers[0]!) / ((7498.042822564453 - 599.7662854468994) / 3577));
    expect(b.values[100]).toBeCloseTo(parseOpus("k", a).values[100 + k0]!, 6);
  });
});

describeWithSharedData("OPUS fixtures: values pinned against an independent reading", () => {
  // Values from test/formats/opus-reference.py (Python struct, written from the file layout,
  // not from src/formats/opus.ts). Index i is the i-th stored point (from FXV towards LXV);
  // the bands check the axis too: a reversed, shifted or mis-scaled reading fails.
  const pins = {
    "235157XS01.0": {
      npt: 3578,
      fxv: 7498.042822564453,
      lxv: 599.7662854468994,
      at: [
        [0, -0.1527991145849228],
        [1, -0.16530294716358185],
        [100, -0.47652667760849],
        [1789, 0.12343199551105499],
        [3576, 1.4115126132965088],
        [3577, 1.4113423824310303],
      ],
      bands: [
        [3620, 3619.8113, 0.861501932144165],
        [2920, 2919.7626, 0.533068060874939],
        [1630, 1629.5901, 1.4351152181625366],
        [1030, 1029.8238, 1.05961012840271],
        [800, 800.3312, 1.258772850036621],
      ],
    },
    "icr056141.0": {
      npt: 1715,
      fxv: 3996.480987113027,
      lxv: 499.815131109082,
      at: [
        [0, 1.155995488166809],
        [1, 1.1562751531600952],
        [100, 1.222870111465454],
        [857, 1.3784666061401367],
        [1713, 1.8981140851974487],
        [1714, 1.8803226947784424],
      ],
      bands: [
        [3620, 3619.0696, 2.1587986946105957],
        [2920, 2919.3284, 1.4758028984069824],
        [1630, 1630.0093, 2.247271776199341],
        [1030, 1030.2312, 2.0301191806793213],
        [800, 799.7042, 2.055111885070801],
      ],
    },
  } as const;
  for (const [file, pin] of Object.entries(pins)) {
    it(`${file}: values at fixed points and at the point nearest each band`, () => {
      const s = parseOpus(file, readFileSync(sharedPath("ossl-samples", file)));
      expect(s.block).toBe("15.16.0.0");
      expect(s.values.length).toBe(pin.npt);
      expect(s.wavenumbers[0]).toBe(pin.fxv);
      expect(s.wavenumbers[pin.npt - 1]).toBeCloseTo(pin.lxv, 9);
      for (const [i, v] of pin.at) expect(s.values[i]).toBeCloseTo(v, 7);
      for (const [band, wn, v] of pin.bands) {
        let k = 0;
        for (let j = 1; j < s.wavenumbers.length; j++) if (Math.abs(s.wavenumbers[j]! - band) < Math.abs(s.wavenumbers[k]! - band)) k = j;
        expect(s.wavenumbers[k]).toBeCloseTo(wn, 3);
        expect(s.values[k]).toBeCloseTo(v, 7);
      }
    });
  }

  it("a flipped bit in FXV (issue reproduction): error naming the file, never a library", () => {
    const good = readFileSync(sharedPath("ossl-samples", "235157XS01.0"));
    const bad = Buffer.from(good);
    bad[284623]! ^= 1;
    const e = formatErrorOf(() =>
      buildOpusLibrary(
        [
          { name: "/x/000bad.0", bytes: bad },
          { name: "/x/235157XS01.0", bytes: good },
        ],
        { idPattern: /^(.+?)\.\d+$/, source: "s" },
      ),
    );
    expect(e.message).toMatch(/000bad\.0: .*FXV .*outside the MIR\/NIR range/);
  });

  it("a negative block offset: error naming the file, not a bare RangeError", () => {
    const bad = Buffer.from(readFileSync(sharedPath("ossl-samples", "235157XS01.0")));
    // directory entry 8 is the AB block (15.16.0.0); its offset field is at 24 + 12*8 + 8
    bad.writeInt32LE(-5000, 24 + 12 * 8 + 8);
    const e = formatErrorOf(() => parseOpus("neg.0", bad));
    expect(e.message).toMatch(/^neg\.0: directory entry 8 \(AB \(15\.16\.0\.0\)\): offset -5000/);
  });
});

describe("OPUS block choice (synthetic files)", () => {
  const n = 200;
  const final = ramp(n);
  const raw = ramp(n, 0.095); // what OPUS keeps before atmospheric compensation
  // Alpha files list the uncompensated block (15.16.0.64) before the final one (15.16.0.0)
  const both = opusFile([
    { fxv: 3998, lxv: 600, values: raw, additional: 64 },
    { fxv: 3998, lxv: 600, values: final },
  ]);

  it("reads the final AB (15.16.0.0), not the uncompensated block listed first", () => {
    const s = parseOpus("both.0", both);
    expect(s.block).toBe("15.16.0.0");
    expect(Array.from(s.values)).toEqual(Array.from(final));
  });
  it("block: AB_no_atm_comp reads the other one", () => {
    const s = parseOpus("both.0", both, { block: "AB_no_atm_comp" });
    expect(s.block).toBe("15.16.0.64");
    expect(Array.from(s.values)).toEqual(Array.from(raw));
  });
  it("a file holding only the uncompensated block: that is OPUS's AB", () => {
    const s = parseOpus("only64.0", opusFile([{ fxv: 3998, lxv: 600, values: raw, additional: 64 }]));
    expect(s.block).toBe("15.16.0.64");
  });
  it("asking for a block the file lacks names what it has", () => {
    const e = formatErrorOf(() => parseOpus("one.0", opusFile([{ fxv: 3998, lxv: 600, values: final }]), { block: "AB_no_atm_comp" }));
    expect(e.message).toMatch(/one\.0: no "AB_no_atm_comp" block; spectrum blocks present: 15\.16\.0\.0/);
  });
  it("the library lists each file's blocks and the one read", () => {
    const r = buildOpusLibrary([{ name: "s1.0", bytes: both }], { idPattern: /^(.+?)\.\d+$/, source: "s" });
    expect(r.report.opus_blocks).toEqual([{ file: "s1.0", sample_id: "s1", blocks: ["15.16.0.64", "15.16.0.0"], read: "15.16.0.0" }]);
    expect(Array.from(r.blocks[0]!.values)).toEqual(Array.from(final));
  });
});

describe("OPUS plausibility (synthetic files)", () => {
  const n = 100;
  const lib = (files: { name: string; bytes: Uint8Array }[], extra = {}) =>
    buildOpusLibrary(files, { idPattern: /^(.+?)\.\d+$/, source: "s", ...extra });
  const cases: [string, Uint8Array, RegExp][] = [
    ["LXV beyond NIR", opusFile([{ fxv: 3998, lxv: 491391734.4, values: ramp(n) }]), /LXV 491391734\.4 cm-1, outside/],
    ["FXV negative", opusFile([{ fxv: -4000, lxv: 600, values: ramp(n) }]), /FXV -4000 cm-1, outside/],
    ["FXV NaN", opusFile([{ fxv: NaN, lxv: 600, values: ramp(n) }]), /FXV NaN/],
    ["FXV = LXV", opusFile([{ fxv: 1000, lxv: 1000, values: ramp(n) }]), /0 cm-1 step/],
    [
      "NPT 0",
      writeOpus([
        { type: [15, 16, 0, 0], data: ramp(n) },
        { type: [31, 16, 0, 0], params: { NPT: { int: 0 }, FXV: 4000, LXV: 600 } },
      ]),
      /NPT 0 points/,
    ],
    [
      "NPT larger than the block",
      writeOpus([
        { type: [15, 16, 0, 0], data: ramp(n) },
        { type: [31, 16, 0, 0], params: { NPT: { int: n + 1 }, FXV: 4000, LXV: 600 } },
      ]),
      /holds 100 values but NPT says 101/,
    ],
    [
      "NPT far smaller than the block",
      writeOpus([
        { type: [15, 16, 0, 0], data: ramp(1000) },
        { type: [31, 16, 0, 0], params: { NPT: { int: 10 }, FXV: 4000, LXV: 3991 } },
      ]),
      /holds 1000 values but NPT says 10/,
    ],
    [
      "a NaN absorbance",
      opusFile([{ fxv: 4000, lxv: 600, values: Float32Array.from(ramp(n), (v, i) => (i === 7 ? NaN : v)) }]),
      /non-finite value \(NaN\) at point 8/,
    ],
    [
      "block length past the end",
      writeOpus([...abBlocks({ fxv: 4000, lxv: 600, values: ramp(n) }).map((b, i) => (i === 0 ? { ...b, words: 10_000 } : b))]),
      /outside the \d+-byte file/,
    ],
    [
      "block offset past the end",
      writeOpus([...abBlocks({ fxv: 4000, lxv: 600, values: ramp(n) }).map((b, i) => (i === 0 ? { ...b, offset: 1 << 30 } : b))]),
      /offset 1073741824/,
    ],
    [
      "DPF 7",
      writeOpus([
        { type: [15, 16, 0, 0], data: ramp(n) },
        { type: [31, 16, 0, 0], params: { DPF: { int: 7 }, NPT: { int: n }, FXV: 4000, LXV: 600 } },
      ]),
      /DPF 7/,
    ],
    [
      "no AB block",
      writeOpus([{ type: [160, 0, 0, 0], params: { SNM: "x" } }]),
      /no absorbance \(AB\) block; spectrum blocks present: none/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what}: error naming the file`, () => {
      const e = formatErrorOf(() => parseOpus("bad.0", bytes));
      expect(e.message).toMatch(/^bad\.0: /);
      expect(e.message).toMatch(message);
    });
  }

  it("each file's own axis: the most common axis wins even when an odd file sorts first", () => {
    const a = opusFile([{ fxv: 4000, lxv: 600, values: ramp(n) }]);
    const odd = opusFile([{ fxv: 4001, lxv: 599, values: ramp(n, 1) }]);
    const r = lib([
      { name: "a0.0", bytes: odd },
      { name: "b.0", bytes: a },
      { name: "c.0", bytes: a },
    ]);
    expect(r.blocks[0]!.wavenumbers[0]).toBe(4000);
    expect(r.report.spectra_regridded).toBe(1);
    expect(r.report.axis_trimmed_by_files).toEqual([]);
  });
  it("an axis that does not overlap the library's: refused, naming the file (no held end values)", () => {
    const a = opusFile([{ fxv: 4000, lxv: 2000, values: ramp(n) }]);
    const far = opusFile([{ fxv: 1900, lxv: 600, values: ramp(n) }]);
    const e = formatErrorOf(() =>
      lib([
        { name: "a.0", bytes: a },
        { name: "b.0", bytes: a },
        { name: "z.0", bytes: far },
      ]),
    );
    expect(e.message).toMatch(/^z\.0: its axis 600\.0-1900\.0 cm-1 does not overlap the library's 2000\.0-4000\.0/);
  });
  it("an axis covering under a quarter of the library's: refused, naming the file", () => {
    const a = opusFile([{ fxv: 4000, lxv: 600, values: ramp(n) }]);
    const narrow = opusFile([{ fxv: 3000, lxv: 2500, values: ramp(n) }]);
    const e = formatErrorOf(() =>
      lib([
        { name: "a.0", bytes: a },
        { name: "b.0", bytes: a },
        { name: "n.0", bytes: narrow },
      ]),
    );
    expect(e.message).toMatch(/^n\.0: .*leaves only 500\.0 cm-1/);
  });
});

describe("OPUS replicate scans", () => {
  const n = 100;
  const lib = (files: { name: string; bytes: Uint8Array }[]) => buildOpusLibrary(files, { idPattern: /^(.+?)\.\d+$/, source: "s" });
  const spec = (shift: number) => opusFile([{ fxv: 4000, lxv: 600, values: ramp(n, shift) }]);

  it("reports scans and spread per sample, flags those above the threshold", () => {
    const r = lib([
      { name: "a.0", bytes: spec(0) },
      { name: "a.1", bytes: spec(0.02) },
      { name: "b.0", bytes: spec(0) },
      { name: "b.1", bytes: spec(0.3) },
      { name: "b.2", bytes: spec(0) },
      { name: "c.0", bytes: spec(0) },
    ]);
    // a: scans at +-0.01 of their mean; b: 0.3 offset among three -> the odd one is 0.2 from the mean
    expect(r.report.replicates).toEqual([
      { sample_id: "a", scans: 2, max_rmsd: expect.closeTo(0.01, 5) },
      { sample_id: "b", scans: 3, max_rmsd: expect.closeTo(0.2, 5) },
    ]);
    expect(r.report.replicates_disagreeing).toBe(1);
    expect(r.report.replicates_disagreeing_ids).toEqual(["b"]);
    expect(r.report.replicate_scans_averaged).toBe(5);
    expect((r.report.warnings as string[]).join()).toMatch(/1 samples have replicate scans that disagree .*b 0\.2/);
    // averaged: b = mean of 0, 0.3, 0
    expect(r.blocks[0]!.values[n + 5]).toBeCloseTo(ramp(n)[5]! + 0.1, 5);
  });
});
