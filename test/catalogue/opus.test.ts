/** Catalogue: corrupt, odd and mismatched Bruker OPUS files (built with test/formats/opus-writer.ts). */
import { describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/formats/assemble.js";
import { parseOpus } from "../../src/formats/opus.js";
import { buildOpusLibrary } from "../../src/formats/opus-library.js";
import { abBlocks, opusFile, ramp, writeOpus, type OpusBlockSpec } from "../formats/opus-writer.js";
import { assertCase, outcome, type Case } from "./harness.js";

const n = 100;
const good = () => opusFile([{ fxv: 4000, lxv: 600, values: ramp(n) }]);
const one = (bytes: Uint8Array, block?: string) => outcome(() => parseOpus("s1.0", bytes, { block }));
const lib = (files: [string, Uint8Array][], extra = {}) =>
  outcome(() =>
    buildOpusLibrary(
      files.map(([name, bytes]) => ({ name, bytes })),
      { idPattern: /^(.+?)\.\d+$/, source: "s", ...extra },
    ),
  );
const withAb = (edit: (b: OpusBlockSpec[]) => OpusBlockSpec[]) => writeOpus(edit(abBlocks({ fxv: 4000, lxv: 600, values: ramp(n) })));
const abParams = (params: OpusBlockSpec["params"], data = ramp(n)) =>
  writeOpus([
    { type: [15, 16, 0, 0], data },
    { type: [31, 16, 0, 0], params },
  ]);
const patched = (f: (b: Uint8Array, dv: DataView) => void) => {
  const b = good().slice();
  f(b, new DataView(b.buffer));
  return b;
};
const res = (o: { value?: unknown }) => o.value as IngestResult;
const P = { DPF: { int: 1 }, NPT: { int: n }, FXV: 4000, LXV: 600 };

export const opusCases: Case[] = [
  {
    kind: "OPUS: a CSV named .0",
    run: () => one(Buffer.from("sample_id,wn_4000\ns1,0.5\n and more text here")),
    exit: 1,
    message: /^s1\.0: not a Bruker OPUS file: starts with 73 61 6d 70, expected 0a 0a fe fe/,
  },
  {
    kind: "OPUS: empty file",
    run: () => one(new Uint8Array(0)),
    exit: 1,
    message: /^s1\.0: 0 bytes is too short for an OPUS file .*truncated or not OPUS/,
  },
  { kind: "OPUS: file cut inside the header", run: () => one(good().subarray(0, 16)), exit: 1, message: /^s1\.0: 16 bytes is too short/ },
  {
    kind: "OPUS: directory with 0 entries",
    run: () => one(patched((_, dv) => dv.setInt32(20, 0, true))),
    exit: 1,
    message: /^s1\.0: OPUS directory \(offset 24, 0 entries\) does not fit .*truncated or corrupt/,
  },
  {
    kind: "OPUS: directory count absurd",
    run: () => one(patched((_, dv) => dv.setInt32(20, 1 << 20, true))),
    exit: 1,
    message: /OPUS directory \(offset 24, 1048576 entries\) does not fit/,
  },
  {
    kind: "OPUS: directory offset past the end",
    run: () => one(patched((_, dv) => dv.setInt32(12, 1 << 30, true))),
    exit: 1,
    message: /OPUS directory \(offset 1073741824/,
  },
  {
    kind: "OPUS: file cut inside the AB data",
    run: () => one(good().subarray(0, good().length - 100)),
    exit: 1,
    message:
      /^s1\.0: directory entry \d \(AB .*\): offset \d+, \d+ bytes lies outside the \d+-byte file; the file is truncated or corrupt \(re-copy it from the instrument\)/,
  },
  {
    kind: "OPUS: negative block offset (bare RangeError before)",
    run: () => one(withAb((b) => [{ ...b[0]!, offset: -5000 }, b[1]!])),
    exit: 1,
    message: /^s1\.0: directory entry 1 \(AB \(15\.16\.0\.0\)\): offset -5000, 400 bytes lies outside/,
  },
  {
    kind: "OPUS: negative block length",
    run: () => one(withAb((b) => [{ ...b[0]!, words: -3 }, b[1]!])),
    exit: 1,
    message: /directory entry 1 \(AB \(15\.16\.0\.0\)\): offset \d+, -12 bytes lies outside/,
  },
  {
    kind: "OPUS: block length past the end",
    run: () => one(withAb((b) => [{ ...b[0]!, words: 1e6 }, b[1]!])),
    exit: 1,
    message: /directory entry 1 .*4000000 bytes lies outside/,
  },
  {
    kind: "OPUS: block offset past the end",
    run: () => one(withAb((b) => [b[0]!, { ...b[1]!, offset: 1 << 30 }])),
    exit: 1,
    message: /directory entry 2 \(AB params \(31\.16\.0\.0\)\): offset 1073741824/,
  },
  {
    kind: "OPUS: no AB block (single channels only)",
    run: () =>
      one(
        writeOpus([
          { type: [7, 4, 0, 0], data: ramp(n) },
          { type: [23, 4, 0, 0], params: P },
        ]),
      ),
    exit: 1,
    message:
      /^s1\.0: no absorbance \(AB\) block; spectrum blocks present: none \(all blocks: directory, ScSm, ScSm params\)\. Save the spectrum with its AB block in OPUS/,
  },
  {
    kind: "OPUS: reflectance block only",
    run: () =>
      one(
        writeOpus([
          { type: [15, 48, 0, 0], data: ramp(n) },
          { type: [31, 48, 0, 0], params: P },
        ]),
      ),
    exit: 1,
    message: /no absorbance \(AB\) block; spectrum blocks present: 15\.48\.0\.0/,
  },
  {
    kind: "OPUS: AB block without its parameter block",
    run: () => one(writeOpus([{ type: [15, 16, 0, 0], data: ramp(n) }])),
    exit: 1,
    message: /^s1\.0: no absorbance \(AB\) parameter block/,
  },
  {
    kind: "OPUS: AB parameters without NPT",
    run: () => one(abParams({ FXV: 4000, LXV: 600 })),
    exit: 1,
    message: /^s1\.0: the 15\.16\.0\.0 parameter block lacks numeric NPT\/FXV\/LXV \(got missing/,
  },
  {
    kind: "OPUS: NPT 0",
    run: () => one(abParams({ ...P, NPT: { int: 0 } })),
    exit: 1,
    message: /NPT 0 points; expected 2-100000\. The file is corrupt/,
  },
  { kind: "OPUS: NPT negative", run: () => one(abParams({ ...P, NPT: { int: -7 } })), exit: 1, message: /NPT -7 points/ },
  {
    kind: "OPUS: NPT beyond the block",
    run: () => one(abParams({ ...P, NPT: { int: n + 1 } })),
    exit: 1,
    message: /the 15\.16\.0\.0 block holds 100 values but NPT says 101; the file is corrupt/,
  },
  {
    kind: "OPUS: NPT far below the block",
    run: () => one(abParams({ ...P, NPT: { int: 10 }, LXV: 3991 }, ramp(1000))),
    exit: 1,
    message: /holds 1000 values but NPT says 10/,
  },
  {
    kind: "OPUS: FXV with a flipped exponent bit (491391734 cm-1)",
    run: () => one(abParams({ ...P, FXV: 491391734.4 })),
    exit: 1,
    message:
      /^s1\.0: the 15\.16\.0\.0 block has FXV 491391734\.4 cm-1, outside the MIR\/NIR range 100-15000 cm-1; the file is corrupt \(re-copy it from the instrument\)/,
  },
  { kind: "OPUS: FXV negative", run: () => one(abParams({ ...P, FXV: -4000 })), exit: 1, message: /FXV -4000 cm-1, outside/ },
  { kind: "OPUS: LXV NaN", run: () => one(abParams({ ...P, LXV: NaN })), exit: 1, message: /LXV NaN cm-1, outside/ },
  {
    kind: "OPUS: FXV equal to LXV",
    run: () => one(abParams({ ...P, FXV: 1000, LXV: 1000 })),
    exit: 1,
    message: /gives a 0 cm-1 step; expected 0\.01-100 cm-1/,
  },
  {
    kind: "OPUS: FXV as text",
    run: () => one(abParams({ ...P, FXV: "4000" })),
    exit: 1,
    message: /lacks numeric NPT\/FXV\/LXV \(got 100, "4000", 600\)/,
  },
  {
    kind: "OPUS: data point format DPF 7",
    run: () => one(abParams({ ...P, DPF: { int: 7 } })),
    exit: 1,
    message: /data point format DPF 7; only 1 \(float32\) and 2 \(int32\) exist/,
  },
  {
    kind: "OPUS: scaling factor CSF infinite",
    run: () => one(abParams({ ...P, CSF: Infinity })),
    exit: 1,
    message: /scaling factor CSF Infinity/,
  },
  {
    kind: "OPUS: CSF scaling values past float32 (found by fuzzing)",
    run: () => one(abParams({ ...P, CSF: 1e300 })),
    exit: 1,
    message: /non-finite value \(Infinity after scaling by CSF 1e\+300\) at point 1 of 100/,
  },
  {
    kind: "OPUS: a NaN absorbance value",
    run: () =>
      one(
        abParams(
          P,
          Float32Array.from(ramp(n), (v, i) => (i === 3 ? NaN : v)),
        ),
      ),
    exit: 1,
    message: /non-finite value \(NaN\) at point 4 of 100; the file is corrupt/,
  },
  {
    kind: "OPUS: an infinite absorbance value",
    run: () =>
      one(
        abParams(
          P,
          Float32Array.from(ramp(n), (v, i) => (i === 9 ? Infinity : v)),
        ),
      ),
    exit: 1,
    message: /non-finite value \(Infinity\) at point 10/,
  },
  {
    kind: "OPUS: parameter record running past its block",
    run: () =>
      one(
        patched((b, dv) => {
          // the AB parameter block is the last; make its first record claim 60000 bytes
          const dir = 24;
          const count = dv.getInt32(20, true);
          for (let i = 0; i < count; i++) if (b[dir + 12 * i] === 31) dv.setUint16(dv.getInt32(dir + 12 * i + 8, true) + 6, 30000, true);
        }),
      ),
    exit: 1,
    message: /parameter DPF of the AB params \(31\.16\.0\.0\) block runs past the end of the block .*truncated or corrupt/,
  },
  {
    kind: "OPUS: two AB blocks (before and after atmospheric compensation)",
    does: "reads the final AB (15.16.0.0) and lists both in ingest_report",
    run: () =>
      lib([
        [
          "s1.0",
          opusFile([
            { fxv: 4000, lxv: 600, values: ramp(n, 0.095), additional: 64 },
            { fxv: 4000, lxv: 600, values: ramp(n) },
          ]),
        ],
      ]),
    exit: 0,
    check: (o) => {
      expect(res(o).report.opus_blocks).toEqual([
        { file: "s1.0", sample_id: "s1", blocks: ["15.16.0.64", "15.16.0.0"], read: "15.16.0.0" },
      ]);
      expect(res(o).blocks[0]!.values[5]).toBeCloseTo(ramp(n)[5]!, 6);
    },
  },
  {
    kind: "OPUS: only the uncompensated AB block",
    does: "reads it (it is what OPUS shows as AB) and says which block was read",
    run: () => lib([["s1.0", opusFile([{ fxv: 4000, lxv: 600, values: ramp(n), additional: 64 }])]]),
    exit: 0,
    check: (o) => expect((res(o).report.opus_blocks as { read: string }[])[0]!.read).toBe("15.16.0.64"),
  },
  {
    kind: "OPUS: block option names a block the file lacks",
    run: () => lib([["s1.0", good()]], { block: "AB_no_atm_comp" }),
    exit: 1,
    message: /^s1\.0: no "AB_no_atm_comp" block; spectrum blocks present: 15\.16\.0\.0 .*Set option block to "AB"/,
  },
  {
    kind: "OPUS: file name not matching id_pattern",
    run: () => outcome(() => buildOpusLibrary([{ name: "/d/sample.opus", bytes: good() }], { idPattern: /^(.+?)\.\d+$/, source: "s" })),
    exit: 1,
    message: /^\/d\/sample\.opus: file name does not match id_pattern .*rename the file or change id_pattern/,
  },
  {
    kind: "OPUS: an axis that does not overlap the library's",
    run: () =>
      lib([
        ["a.0", good()],
        ["b.0", good()],
        ["z.0", opusFile([{ fxv: 14000, lxv: 9000, values: ramp(n) }])],
      ]),
    exit: 1,
    message:
      /^z\.0: its axis 9000\.0-14000\.0 cm-1 does not overlap the library's 600\.0-4000\.0 cm-1 \(shared by 2 file\(s\)\); remove the file or ingest it as a separate library/,
  },
  {
    kind: "OPUS: an axis covering under a quarter of the library's",
    run: () =>
      lib([
        ["a.0", good()],
        ["b.0", good()],
        ["z.0", opusFile([{ fxv: 1200, lxv: 600, values: ramp(n) }])],
      ]),
    exit: 1,
    message: /^z\.0: its axis 600\.0-1200\.0 cm-1 leaves only 600\.0 cm-1 .*less than 25 %/,
  },
  {
    kind: "OPUS: an odd axis in the file that sorts first (its axis was applied to all before)",
    does: "takes the axis most files share, interpolates the odd one onto it",
    run: () =>
      lib([
        ["0odd.0", opusFile([{ fxv: 4010, lxv: 590, values: ramp(n) }])],
        ["a.0", good()],
        ["b.0", good()],
      ]),
    exit: 0,
    check: (o) => {
      expect(res(o).blocks[0]!.wavenumbers[0]).toBe(4000);
      expect(res(o).report.spectra_regridded).toBe(1);
    },
  },
  {
    kind: "OPUS: an axis shorter than the others (Alpha among Vertex)",
    does: "cuts the library's axis to the common range and says which file limited it",
    run: () =>
      lib([
        ["a.0", good()],
        ["b.0", good()],
        ["c.0", opusFile([{ fxv: 3000, lxv: 600, values: ramp(n) }])],
      ]),
    exit: 0,
    check: (o) => {
      expect(res(o).report.axis_trimmed_by_files).toEqual(["c.0"]);
      expect((res(o).report.warnings as string[]).join()).toMatch(
        /cut to 600\.0-2969\.7 cm-1, the range every file covers \(limited by c\.0\)/,
      );
    },
  },
  {
    kind: "OPUS: replicate scans that disagree (a swapped cup)",
    does: "averages them, reports scans and spread per sample, flags the sample (threshold 0.05 absorbance, option replicate_max_rmsd)",
    run: () =>
      lib([
        ["a.0", good()],
        ["a.1", opusFile([{ fxv: 4000, lxv: 600, values: ramp(n, 0.5) }])],
      ]),
    exit: 0,
    check: (o) => {
      expect(res(o).report.replicates).toEqual([{ sample_id: "a", scans: 2, max_rmsd: 0.25 }]);
      expect(res(o).report.replicates_disagreeing_ids).toEqual(["a"]);
    },
  },
  {
    kind: "OPUS: AB values that are reflectance in %",
    run: () => lib([["a.0", opusFile([{ fxv: 4000, lxv: 600, values: ramp(n, 50) }])]]),
    exit: 1,
    message: /^s: spectra declared absorbance: median 50\.\d+.*not absorbance.*The OPUS block read is not absorbance: check the files/,
  },
];

describe("catalogue: OPUS files", () => {
  for (const c of opusCases) it(c.kind, () => assertCase(c, "OPUS files"));
});
