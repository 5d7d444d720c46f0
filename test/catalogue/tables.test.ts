/** Catalogue: wide CSV, OSSL CSV and lab tables as a tired researcher exports them (and worse). */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runStepInMemory } from "../../src/engine/memory-step.js";
import { numberColumn, textColumn } from "../../src/core/table.js";
import type { IngestResult } from "../../src/formats/assemble.js";
import { buildOpusLibrary } from "../../src/formats/opus-library.js";
import { parseOsslCsv } from "../../src/formats/ossl.js";
import { parseWideTable, type WideTableOptions } from "../../src/formats/wide-table.js";
import { ingestOpusStep } from "../../src/steps/ingest/opus.js";
import { ingestOsslStep } from "../../src/steps/ingest/ossl.js";
import { ingestTableStep } from "../../src/steps/ingest/table.js";
import { opusFile, ramp } from "../formats/opus-writer.js";
import { assertCase, outcome, type Case } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "somflow-cat-csv-"));
const O: WideTableOptions = { spectralPrefix: "wn_", unit: "absorbance", idColumn: "id", targets: { c: { column: "c", unit: "gkg" } } };
const wide = (text: string | Buffer, o: Partial<WideTableOptions> = {}) =>
  outcome(() => parseWideTable("lib.csv", typeof text === "string" ? Buffer.from(text) : text, { ...O, ...o }));
const lib = (o: { value?: unknown }) => o.value as IngestResult;
const H = "id,c,wn_4000,wn_3000,wn_2000\n";
const row = (id: string, c: string, a = "0.5,0.6,0.7") => `${id},${c},${a}\n`;
const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const lab = (text: string | Buffer) => {
  const opus = [
    { name: "s1.0", bytes: opusFile([{ fxv: 4000, lxv: 600, values: ramp(100) }]) },
    { name: "s2.0", bytes: opusFile([{ fxv: 4000, lxv: 600, values: ramp(100) }]) },
  ];
  return outcome(() =>
    buildOpusLibrary(opus, {
      idPattern: /^(.+?)\.\d+$/,
      source: "s",
      lab: {
        file: "lab.csv",
        text: typeof text === "string" ? text : text.toString("latin1"),
        idColumn: "sample_id",
        targets: { c: { column: "oc", unit: "percent" } },
      },
    }),
  );
};

export const tableCases: Case[] = [
  // --- wide CSV: structure
  {
    kind: "CSV: empty file",
    run: () => wide(""),
    exit: 1,
    message: /^lib\.csv: the file is empty \(no header line\); check the path and the export/,
  },
  { kind: "CSV: header but no rows", run: () => wide(H), exit: 1, message: /^lib\.csv \(line 1\): the file has a header but no data rows/ },
  {
    kind: "CSV: blank first line",
    run: () => wide(`\n${H}${row("s1", "1")}`),
    exit: 1,
    message: /^lib\.csv \(line 1\): the first line is blank; expected the header/,
  },
  {
    kind: "CSV: UTF-8 BOM and CRLF line ends",
    does: "reads the same values as a plain file",
    run: () => wide(`\uFEFF${H}${row("s1", "12")}${row("s2", "3")}`.replaceAll("\n", "\r\n")),
    exit: 0,
    check: (o) => {
      expect(lib(o).samples.sample_id).toEqual(["s1", "s2"]);
      expect(Array.from(numberColumn(lib(o).samples, "c_gkg"))).toEqual([12, 3]);
      expect(Array.from(lib(o).blocks[0]!.values)).toEqual([0.5, 0.6, 0.7, 0.5, 0.6, 0.7].map(Math.fround));
    },
  },
  {
    kind: "CSV: trailing empty columns (Excel's ,,,)",
    does: "ignores the unnamed empty columns",
    run: () => wide(`id,c,wn_4000,wn_3000,wn_2000,,\ns1,1,0.5,0.6,0.7,,\n`),
    exit: 0,
    check: (o) => expect(lib(o).report.bands).toBe(3),
  },
  {
    kind: "CSV: duplicated id column name",
    run: () => wide(`id,id,c,wn_4000,wn_3000\ns1,s2,1,0.5,0.6\n`),
    exit: 1,
    message: /^lib\.csv \(line 1\): column "id" \(option idColumn\) appears twice, columns 1 and 2; rename one/,
  },
  {
    kind: "CSV: duplicated spectral column",
    run: () => wide(`id,c,wn_4000,wn_3000,wn_3000\ns1,1,0.5,0.6,0.7\n`),
    exit: 1,
    message:
      /^lib\.csv \(line 1, column 5 "wn_3000"\): spectral columns are not strictly decreasing: 3000 then 3000 cm-1; remove the duplicated or misplaced column/,
  },
  {
    kind: "CSV: ;-delimited file read with the default delimiter",
    run: () => wide(`id;c;wn_4000;wn_3000\ns1;1;0,5;0,6\n`),
    exit: 1,
    message: /^lib\.csv \(line 1\): the header is a single field but holds 3 ";": the file is ;-delimited; set the delimiter option to ";"/,
  },
  {
    kind: "CSV: tab-delimited file read with the default delimiter",
    run: () => wide(`id\tc\twn_4000\twn_3000\ns1\t1\t0.5\t0.6\n`),
    exit: 1,
    message: /the file is tab-delimited; set the delimiter option to "\\t"/,
  },
  {
    kind: "CSV: decimal commas with delimiter ;",
    run: () => wide(`id;c;wn_4000;wn_3000\ns1;1;0,5;0,6\n`, { delimiter: ";" }),
    exit: 1,
    message:
      /^lib\.csv \(line 2, column 3 "wn_4000"\): spectral value "0,5" is not a number; decimal commas are not read: export the file with a decimal point/,
  },
  {
    kind: "CSV: Excel date in a numeric target column",
    run: () => wide(H + row("s1", "2021-03-04")),
    exit: 1,
    message: /^lib\.csv \(line 2, column "c"\): "2021-03-04" is not a number; fix the cell or leave it empty\/NA/,
  },
  {
    kind: "CSV: Excel error #N/A in a spectral cell",
    run: () => wide(H + row("s1", "1", "0.5,#N/A,0.7")),
    exit: 1,
    message: /\(line 2, column 4 "wn_3000"\): spectral value "#N\/A" is not a number; fix the cell or use NA/,
  },
  {
    kind: "CSV: #VALUE! in a target cell",
    run: () => wide(H + row("s1", "#VALUE!")),
    exit: 1,
    message: /\(line 2, column "c"\): "#VALUE!" is not a number/,
  },
  {
    kind: "CSV: NaN/NA/empty strings in spectral cells",
    does: "interpolates them along the spectrum and reports how many",
    run: () => wide(H + row("s1", "1", "0.5,NaN,0.7") + row("s2", "1", "0.5,NA,0.9") + row("s3", "1", "0.5,,0.9")),
    exit: 0,
    check: (o) => {
      expect(lib(o).report.missing_values_interpolated).toBe(3);
      expect(lib(o).blocks[0]!.values[1]).toBeCloseTo(0.6, 6);
    },
  },
  {
    kind: 'CSV: detection limit "<0.1" in a target',
    run: () => wide(H + row("s1", "<0.1")),
    exit: 1,
    message: /\(line 2, column "c"\): "<0\.1" is not a number/,
  },
  {
    kind: "CSV: 1e999 (overflows to Infinity) in a spectral cell",
    run: () => wide(H + row("s1", "1", "0.5,1e999,0.7")),
    exit: 1,
    message: /\(line 2, column 4 "wn_3000"\): spectral value "1e999" is not a number/,
  },
  {
    kind: "CSV: 1e39 (beyond float32) in a spectral cell",
    run: () => wide(H + row("s1", "1", "0.5,1e39,0.7")),
    exit: 1,
    message: /\(line 2, column 4 "wn_3000"\): spectral value 1\.00000e\+39 is outside the float32 range/,
  },
  {
    kind: "CSV: Infinity written out in a target",
    run: () => wide(H + row("s1", "Infinity")),
    exit: 1,
    message: /\(line 2, column "c"\): "Infinity" is not a number/,
  },
  {
    kind: "CSV: units in the spectral header (wn_4000 cm-1)",
    run: () => wide(`id,c,wn_4000 cm-1,wn_3000 cm-1\ns1,1,0.5,0.6\n`),
    exit: 1,
    message: /\(line 1, column 3 "wn_4000 cm-1"\): spectral header "wn_4000 cm-1" does not end in a wavenumber \(expected wn_<cm-1>\)/,
  },
  {
    kind: "CSV: spectral columns named by index (wn_0, wn_1, ...)",
    run: () => wide(`id,c,wn_0,wn_1,wn_2\ns1,1,0.5,0.6,0.7\n`),
    exit: 1,
    message:
      /^lib\.csv \(line 1, column 3 "wn_0"\): spectral column "wn_0" names 0 cm-1, outside the MIR\/NIR range 100-15000 cm-1: spectral columns must be named by wavenumber in cm-1 \(not an index or a wavelength\)/,
  },
  {
    kind: "CSV: spectral columns named by wavelength in µm",
    run: () => wide(`id,c,wn_2.5,wn_10,wn_25\ns1,1,0.5,0.6,0.7\n`),
    exit: 1,
    message: /spectral column "wn_2\.5" names 2\.5 cm-1, outside the MIR\/NIR range/,
  },
  {
    kind: "CSV: wrong spectral prefix",
    run: () => wide(H + row("s1", "1"), { spectralPrefix: "X" }),
    exit: 1,
    message:
      /found 0 spectral column\(s\) named "X<cm-1>"; set the spectral prefix\/suffix option to match the header \(first columns: id, c, wn_4000/,
  },
  { kind: "CSV: a single spectral column", run: () => wide(`id,c,wn_4000\ns1,1,0.5\n`), exit: 1, message: /found 1 spectral column\(s\)/ },
  {
    kind: "CSV: spectral columns out of order",
    run: () => wide(`id,c,wn_4000,wn_3000,wn_3500\ns1,1,0.5,0.6,0.7\n`),
    exit: 1,
    message: /spectral columns are not strictly decreasing: 3000 then 3500 cm-1/,
  },
  {
    kind: "CSV: spectral columns in increasing order",
    does: "reads them (a grid may run either way)",
    run: () => wide(`id,c,wn_2000,wn_3000,wn_4000\ns1,1,0.7,0.6,0.5\n`),
    exit: 0,
    check: (o) => expect(Array.from(lib(o).blocks[0]!.wavenumbers)).toEqual([2000, 3000, 4000]),
  },
  {
    kind: "CSV: id column missing",
    run: () => wide(H + row("s1", "1"), { idColumn: "sample_id" }),
    exit: 1,
    message: /^lib\.csv \(line 1\): no column "sample_id" \(option idColumn\); the header starts: id, c, wn_4000/,
  },
  {
    kind: "CSV: target column missing",
    run: () => wide(H + row("s1", "1"), { targets: { c: { column: "SOC", unit: "percent" } } }),
    exit: 1,
    message: /no column "SOC" \(option targets\.c\.column\)/,
  },
  {
    kind: "CSV: ids differing only by spaces",
    run: () => wide(H + row("s1", "1") + row(" s1 ", "2")),
    exit: 1,
    message: /^lib\.csv \(line 3, column "id"\): sample id "s1" repeats the id on line 2; ids must be unique/,
  },
  {
    kind: "CSV: duplicated ids",
    run: () => wide(H + row("s1", "1") + row("s2", "1") + row("s1", "2")),
    exit: 1,
    message: /\(line 4, column "id"\): sample id "s1" repeats the id on line 2/,
  },
  {
    kind: "CSV: empty id",
    run: () => wide(H + row("", "1")),
    exit: 1,
    message: /\(line 2, column "id"\): sample id is empty; every row needs an id/,
  },
  { kind: "CSV: NA as an id", run: () => wide(H + row("NA", "1")), exit: 1, message: /\(line 2, column "id"\): sample id is empty/ },
  {
    kind: "CSV: row with fewer fields (cut short)",
    run: () => wide(H + "s1,1,0.5\n"),
    exit: 1,
    message: /\(line 2\): row has 3 fields but the header has 5; the row is cut short or the file is ragged/,
  },
  {
    kind: "CSV: row with more fields (unquoted comma)",
    run: () => wide(H + "s1,1,0.5,0.6,0.7,0.8\n"),
    exit: 1,
    message: /\(line 2\): row has more fields than the header's 5; check for an unquoted delimiter/,
  },
  {
    kind: "CSV: unterminated quote in a row",
    run: () => wide(H + '"s1,1,0.5,0.6,0.7\n'),
    exit: 1,
    message: /\(line 2, column 1 "id"\): unterminated quote in field 1; line breaks inside quotes are not supported/,
  },
  {
    kind: "CSV: unterminated quote in the header",
    run: () => wide('"id,c,wn_4000\ns1,1,2\n'),
    exit: 1,
    message: /\(line 1\): unterminated quote in the header/,
  },
  {
    kind: "CSV: quoted ids with commas and quotes",
    does: "reads them exactly",
    run: () => wide(`${H}"a,b",1,0.5,0.6,0.7\n"say ""hi""",2,0.5,0.6,0.7\n`),
    exit: 0,
    check: (o) => expect(lib(o).samples.sample_id).toEqual(["a,b", 'say "hi"']),
  },
  {
    kind: "CSV: Latin-1 ids Sé/Sè (became S\\uFFFD duplicates before)",
    run: () => wide(Buffer.concat([Buffer.from(H), Buffer.from("Sé,1,0.5,0.6,0.7\nSè,1,0.5,0.6,0.7\n", "latin1")])),
    exit: 1,
    message:
      /^lib\.csv \(line 2, column 1 "id"\): not valid UTF-8 \(byte e9 at character 2 of the field\); save the file as UTF-8, or set encoding: latin1/,
  },
  {
    kind: "CSV: Latin-1 file with encoding: latin1",
    does: "reads Sé and Sè as two ids",
    run: () => wide(Buffer.concat([Buffer.from(H), Buffer.from("Sé,1,0.5,0.6,0.7\nSè,1,0.5,0.6,0.7\n", "latin1")]), { encoding: "latin1" }),
    exit: 0,
    check: (o) => expect(lib(o).samples.sample_id).toEqual(["Sé", "Sè"]),
  },
  {
    kind: 'CSV: UTF-16 file (Excel "Unicode text")',
    run: () => wide(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(H + row("s1", "1"), "utf16le")])),
    exit: 1,
    message: /^lib\.csv \(line 1\): not valid UTF-8 \(byte ff fe .*save the file as UTF-8/,
  },
  {
    kind: "CSV: binary garbage",
    run: () => wide(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])),
    exit: 1,
    message: /^lib\.csv \(line 1\): not valid UTF-8/,
  },
  {
    kind: "CSV: a row with no spectrum at all",
    does: "keeps the sample in samples, leaves it out of spectra, reports it",
    run: () => wide(H + row("s1", "1") + row("s2", "1", "NA,NA,NA")),
    exit: 0,
    check: (o) => {
      expect(lib(o).report.rows_without_spectrum).toBe(1);
      expect(lib(o).blocks[0]!.ids).toEqual(["s1"]);
    },
  },
  {
    kind: "CSV: formula-like ids (=HYPERLINK(...))",
    does: "reads them as text (export neutralizes them, see the export cases)",
    run: () => wide(H + row('"=HYPERLINK(""http://x"",""y"")"', "1") + row("+cmd|' /C calc'!A0", "1")),
    exit: 0,
    check: (o) => expect(lib(o).samples.sample_id).toEqual(['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0"]),
  },
  {
    kind: "CSV: negative and impossible C values",
    does: "keeps them and reports them (c_impossible, with ids) for harmonize/QC to act on",
    run: () => wide(H + row("s1", "-31") + row("s2", "12")),
    exit: 0,
    check: (o) => expect(lib(o).report.targets.c_impossible).toBe(1),
  },
  {
    kind: "CSV: old Mac CR-only line ends",
    run: () => wide((H + row("s1", "1")).replaceAll("\n", "\r")),
    exit: 1,
    message: /^lib\.csv \(line 1\): the file separates lines with CR only \(old Mac line ends\); save it with LF or CRLF/,
  },
  {
    kind: "CSV: Excel's sep=; first line",
    run: () => wide(`sep=;\nid;c;wn_4000;wn_3000\ns1;1;0.5;0.6\n`),
    exit: 1,
    message:
      /^lib\.csv \(line 1\): line 1 is Excel's "sep=;" hint, not the header; delete that line \(and set the delimiter option to ";"\)/,
  },
  {
    kind: "CSV: UTM metres mapped as latitude",
    run: () => wide(`id,c,y,wn_4000,wn_3000\ns1,1,5712345,0.5,0.6\ns2,1,5712400,0.5,0.6\n`, { columns: { lat: "y" } }),
    exit: 1,
    message:
      /^lib\.csv \(line 2, column lat\): lat 5712345 is outside -90\.\.90 \(2 of 2 values\): lat must be WGS84 decimal degrees, not projected coordinates/,
  },
  {
    kind: "CSV: one stray longitude among many",
    does: "reads, counts it (coordinates_out_of_range) and warns with its line",
    run: () =>
      wide(`id,c,x,wn_4000,wn_3000\n${Array.from({ length: 120 }, (_, i) => `s${i},1,${i === 7 ? 700 : 7.1},0.5,0.6`).join("\n")}\n`, {
        columns: { lon: "x" },
      }),
    exit: 0,
    check: (o) => {
      expect(lib(o).report.coordinates_out_of_range).toBe(1);
      expect((lib(o).report.warnings as string[]).join()).toMatch(/1 lon values outside -180\.\.180 \(e\.g\. line 9\)/);
    },
  },
  {
    kind: "CSV: depth columns swapped",
    does: "reads, counts layers whose top is below their bottom and warns",
    run: () =>
      wide(`id,c,top,bottom,wn_4000,wn_3000\ns1,1,30,0,0.5,0.6\ns2,1,0,30,0.5,0.6\n`, {
        columns: { depth_top_cm: "top", depth_bottom_cm: "bottom" },
      }),
    exit: 0,
    check: (o) => expect(lib(o).report.depth_top_below_bottom).toBe(1),
  },
  // --- units
  {
    kind: "units: reflectance % declared absorbance",
    run: () => wide(H + row("s1", "1", "40,50,60")),
    exit: 1,
    message: /^lib\.csv: spectra declared absorbance: median 50, max 60 is not absorbance .* Set unit: reflectance_percent/,
  },
  {
    kind: "units: reflectance % declared reflectance",
    run: () => wide(H + row("s1", "1", "40,50,60"), { unit: "reflectance" }),
    exit: 1,
    message: /^lib\.csv: spectra declared reflectance: median 50 is not reflectance as a fraction .* Set unit: reflectance_percent/,
  },
  {
    kind: "units: reflectance fraction declared reflectance_percent",
    run: () => wide(H + row("s1", "1", "0.4,0.5,0.6"), { unit: "reflectance_percent" }),
    exit: 1,
    message:
      /^lib\.csv: spectra declared reflectance_percent: every value is <= 0\.6: that is reflectance as a fraction .* Set unit: reflectance$/,
  },
  {
    kind: "units: transmittance-like values in the thousands declared reflectance_percent",
    run: () => wide(H + row("s1", "1", "4000,5000,6000"), { unit: "reflectance_percent" }),
    exit: 1,
    message: /median 5000 is not reflectance in %/,
  },
  {
    kind: "units: C in % declared g/kg",
    does: "reads, and warns when the median (< 0.5 g/kg) looks like % (a median of 1-3 g/kg is plausible either way: see docs)",
    run: () => wide(H + row("s1", "0.2") + row("s2", "0.3") + row("s3", "0.4")),
    exit: 0,
    check: (o) => expect(lib(o).report.targets.unit_warnings.join()).toMatch(/median C/),
  },
  // --- OSSL
  {
    kind: "OSSL: id column missing",
    run: () => outcome(() => parseOsslCsv("ossl.csv", Buffer.from("id,scan_mir.600_abs,scan_mir.602_abs\na,0.5,0.6\n"))),
    exit: 1,
    message: /^ossl\.csv \(line 1\): no sample id column "id\.layer_uuid_txt"; set columns\.id to one of: id, scan_mir/,
  },
  {
    kind: "OSSL: columns.id empty at the reader",
    run: () => outcome(() => parseOsslCsv("ossl.csv", Buffer.from("id,scan_mir.600_abs\n"), { columns: { id: "" } })),
    exit: 1,
    message: /^ossl\.csv: columns\.id is empty: .*name the id column/,
  },
  {
    kind: "OSSL: ;-delimited export",
    run: () => outcome(() => parseOsslCsv("ossl.csv", Buffer.from("id.layer_uuid_txt;scan_mir.600_abs;scan_mir.602_abs\na;0,5;0,6\n"))),
    exit: 1,
    message: /^ossl\.csv \(line 1\): the header is a single field but holds 2 ";"/,
  },
  {
    kind: "OSSL: reflectance columns named as absorbance",
    run: () =>
      outcome(() => parseOsslCsv("ossl.csv", Buffer.from("id.layer_uuid_txt,scan_mir.600_abs,scan_mir.602_abs\na,40,50\nb,45,55\n"))),
    exit: 1,
    message: /spectra declared absorbance: .*check that columns\.spectral_prefix\/spectral_suffix name the absorbance columns/,
  },
  // --- paths and files (through the ingest steps)
  {
    kind: "path: ingest.table file missing",
    run: () => outcome(() => runStepInMemory(ingestTableStep, { path: join(dir, "nope.csv"), unit: "absorbance" })),
    exit: 1,
    message: /^path: cannot read .*nope\.csv \(ENOENT\); check the path/,
  },
  {
    kind: "path: a directory",
    run: () => outcome(() => runStepInMemory(ingestTableStep, { path: dir, unit: "absorbance" })),
    exit: 1,
    message: /^path: .* is not a file/,
  },
  {
    kind: "path: /dev/null (a device)",
    run: () => outcome(() => runStepInMemory(ingestTableStep, { path: "/dev/null", unit: "absorbance" })),
    exit: 1,
    message: /^path: \/dev\/null is not a file/,
  },
  {
    kind: "path: truncated .csv.gz",
    run: () =>
      outcome(() =>
        runStepInMemory(ingestTableStep, {
          path: file("cut.csv.gz", gzipSync(Buffer.from(H + row("s1", "1").repeat(200))).subarray(0, 40)),
          unit: "absorbance",
          id_column: "id",
        }),
      ),
    exit: 1,
    message: /cut\.csv\.gz: gzip stream ends early .*re-download it/,
  },
  {
    kind: "path: .gz that is not gzip",
    run: () =>
      outcome(() =>
        runStepInMemory(ingestTableStep, { path: file("plain.csv.gz", H + row("s1", "1")), unit: "absorbance", id_column: "id" }),
      ),
    exit: 1,
    message: /plain\.csv\.gz: not valid gzip data .*gunzip -t the file/,
  },
  {
    kind: "path: ingest.ossl file missing",
    run: () => outcome(() => runStepInMemory(ingestOsslStep, { path: join(dir, "none.csv.gz") })),
    exit: 1,
    message: /^path: cannot read .*none\.csv\.gz \(ENOENT\)/,
  },
  {
    kind: "path: ingest.opus dir missing",
    run: () => outcome(() => runStepInMemory(ingestOpusStep, { dir: join(dir, "no-dir") })),
    exit: 1,
    message: /^dir: cannot list .*no-dir \(ENOENT\); check the path/,
  },
  {
    kind: "path: ingest.opus dir with no OPUS file",
    run: () => {
      mkdirSync(join(dir, "empty-opus"), { recursive: true });
      file("empty-opus/readme.txt", "x");
      return outcome(() => runStepInMemory(ingestOpusStep, { dir: join(dir, "empty-opus") }));
    },
    exit: 1,
    message: /^dir: no file in .*empty-opus matches file_pattern \/\\\.\\d\+\$\/ \(1 files there\)/,
  },
  {
    kind: "path: ingest.opus lab_table missing",
    run: () => {
      mkdirSync(join(dir, "one-opus"), { recursive: true });
      file("one-opus/s1.0", opusFile([{ fxv: 4000, lxv: 600, values: ramp(100) }]));
      return outcome(() => runStepInMemory(ingestOpusStep, { dir: join(dir, "one-opus"), lab_table: join(dir, "nolab.csv") }));
    },
    exit: 1,
    message: /^lab_table: cannot read .*nolab\.csv \(ENOENT\)/,
  },
  {
    kind: "lab table: Latin-1 bytes in the lab CSV",
    run: () => {
      mkdirSync(join(dir, "lab-opus"), { recursive: true });
      file("lab-opus/s1.0", opusFile([{ fxv: 4000, lxv: 600, values: ramp(100) }]));
      const l = file("lab-latin1.csv", Buffer.from("sample_id,oc,note\ns1,1.2,tré\n", "latin1"));
      return outcome(() => runStepInMemory(ingestOpusStep, { dir: join(dir, "lab-opus"), lab_table: l }));
    },
    exit: 1,
    message: /lab-latin1\.csv \(line 2\): not valid UTF-8 .*set encoding: latin1/,
  },
  {
    kind: "lab table: duplicated sample id",
    run: () => lab("sample_id,oc\ns1,1\ns1,2\n"),
    exit: 1,
    message: /^lab\.csv \(line 3, column "sample_id"\): sample id "s1" repeats line 2; ids must be unique in the lab table/,
  },
  {
    kind: "lab table: empty sample id",
    run: () => lab("sample_id,oc\n,1\n"),
    exit: 1,
    message: /^lab\.csv \(line 2, column "sample_id"\): sample id is empty/,
  },
  {
    kind: "lab table: id column missing",
    run: () => lab("id,oc\ns1,1\n"),
    exit: 1,
    message: /^lab\.csv \(line 1\): no column "sample_id" \(option lab_id_column\); columns: id, oc/,
  },
  {
    kind: "lab table: target column missing",
    run: () => lab("sample_id,OC\ns1,1\n"),
    exit: 1,
    message: /no column "oc" \(option lab_targets\.c\.column\); columns: sample_id, OC/,
  },
  {
    kind: "lab table: ragged row",
    run: () => lab("sample_id,oc\ns1,1,extra\n"),
    exit: 1,
    message: /^lab\.csv \(line 2\): row has 3 fields but the header has 2; the file is ragged/,
  },
  {
    kind: "lab table: ;-delimited",
    run: () => lab("sample_id;oc\ns1;1,2\n"),
    exit: 1,
    message: /^lab\.csv \(line 1\): the header is a single field but holds ";" separators: .*save it comma-separated/,
  },
  {
    kind: "lab table: duplicated column name",
    run: () => lab("sample_id,oc,oc\ns1,1,2\n"),
    exit: 1,
    message: /column "oc" \(option lab_targets\.c\.column\) appears twice, columns 2 and 3/,
  },
  {
    kind: "lab table: text in the target column",
    run: () => lab("sample_id,oc\ns1,n.d.\n"),
    exit: 1,
    message: /^lab\.csv \(line 2, column "oc"\): "n\.d\." is not a number/,
  },
  {
    kind: "lab table: old Mac CR-only line ends",
    run: () => lab("sample_id,oc\rs1,1\r"),
    exit: 1,
    message: /^lab\.csv \(line 1\): the file separates lines with CR only/,
  },
  { kind: "lab table: empty file", run: () => lab(""), exit: 1, message: /^lab\.csv: the file is empty \(no header line\)/ },
  {
    kind: "lab table: ids without spectra and spectra without lab rows",
    does: "joins what matches and reports both lists",
    run: () => lab("sample_id,oc\ns1,1.2\norphan,2\n"),
    exit: 0,
    check: (o) => {
      expect(lib(o).report.lab_rows_without_spectrum_ids).toEqual(["orphan"]);
      expect(lib(o).report.spectra_without_lab_row_ids).toEqual(["s2"]);
      expect(Array.from(numberColumn(lib(o).samples, "c_gkg"))).toEqual([12, NaN]);
      expect(textColumn(lib(o).samples, "sample_id")).toEqual(["s1", "s2"]);
    },
  },
];

describe("catalogue: CSV, OSSL, lab tables and paths", () => {
  for (const c of tableCases) it(c.kind, () => assertCase(c, "tables and paths"));
});
