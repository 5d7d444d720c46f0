/**
 * Writes docs/BAD-INPUTS.md from what the catalogue actually observed: runs the catalogue
 * suites with SOMFLOW_CATALOGUE_OUT set (each case appends its exit code and message), then
 * renders one table per area. A section "## Store faults and concurrency" (and anything
 * after it) already in the file is kept as it is.
 *   npx tsx test/catalogue/bad-inputs-doc.ts
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Row {
  area: string;
  kind: string;
  does: string | null;
  exit: number;
  message: string;
}

const doc = "docs/BAD-INPUTS.md";
const jsonl = join(mkdtempSync(join(tmpdir(), "somflow-catdoc-")), "cases.jsonl");
writeFileSync(jsonl, "");
const suites = ["pipeline-files", "tables", "opus", "cli"].map((s) => `test/catalogue/${s}.test.ts`);
execFileSync("npx", ["vitest", "run", ...suites], { stdio: "inherit", env: { ...process.env, SOMFLOW_CATALOGUE_OUT: jsonl } });
const rows: Row[] = readFileSync(jsonl, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Row);

const clean = (s: string) =>
  s
    .replace(/\/tmp\/somflow-cat-[^/\s)]+/g, "<tmp>")
    .replace(/run \d{8}T\d{6,9}Z-\w+/g, "run <id>")
    .replace(/\t/g, "\\t")
    .replace(/\|/g, "\\|")
    .replace(/\n+/g, " ⏎ ");
const short = (s: string) => (s.length > 260 ? `${s.slice(0, 257)}…` : s);
const what = (r: Row) =>
  r.exit === 0
    ? `reads it: ${r.does ?? "correct result"}`
    : r.exit === 2
      ? "refuses before running (exit 2)"
      : "the step fails with a clear error (exit 1)";

const areas = [...new Set(rows.map((r) => r.area))];
const counts = { 0: 0, 1: 0, 2: 0 } as Record<number, number>;
for (const r of rows) counts[r.exit] = (counts[r.exit] ?? 0) + 1;
const lines: string[] = [
  "# Bad inputs: what somflow does with each",
  "",
  "Every row below is a case of the catalogue test suite (`test/catalogue/*.test.ts`), run and",
  "recorded by `npx tsx test/catalogue/bad-inputs-doc.ts` (this file is its output). Each case asserts",
  "the exit code, that the message names the file / line / key and says what to do, that it",
  "carries no stack trace, and (where something is written) that no temp or half-written file is",
  "left. Inputs that are odd but valid are read, and the test checks the values read are the right ones.",
  "",
  `**${rows.length} kinds: ${counts[2]} refused before anything runs (exit 2), ${counts[1]} stop the step`,
  `that reads them with a clear error (exit 1), ${counts[0]} read correctly (exit 0, values checked). None gives`,
  "a wrong result silently, none crashes with a stack, none hangs.**",
  "",
  "Exit codes: 0 ok, 1 a step (here: the one reading the input) failed, 2 usage or validation error.",
  "Paths under the test's temp folder are shown as `<tmp>`.",
  "",
  "Beyond the listed kinds, property-based fuzzing (`test/catalogue/fuzz.test.ts`, fast-check, fixed",
  "seeds) feeds the YAML pipeline parser, the wide/OSSL/lab CSV readers and the OPUS parser with",
  "arbitrary text and bytes, pipeline-shaped documents with prototype keys, messy spreadsheet cells,",
  "random byte edits, bit flips and truncations of a valid OPUS file: every input gives a typed user",
  "error or a correct result (numbers written are the numbers read; OPUS spectra finite and on a",
  "physical axis), each call under 2 s. It found one silent-wrong case (a corrupt OPUS scaling factor",
  "pushing values to Infinity), now an error.",
  "",
  "Thresholds used by the plausibility checks: spectra declared absorbance with a median above 5 or",
  "more than 1 % of values above 10; reflectance (fraction) with a median above 1.5; reflectance in %",
  "with every value at or below 1.5 or a median above 150 (`src/formats/spectral-columns.ts`,",
  "`UNIT_LIMITS`). OPUS axes: FXV/LXV within 100-15000 cm-1, 2-100000 points, a step of 0.01-100",
  "cm-1, at most 64 (+1 %) padding values in the block; a library's files must share at least a",
  "quarter of the most common axis's range; replicate scans more than 0.05 absorbance (RMS) from",
  "their mean are flagged (`replicate_max_rmsd`). One known limit: C in % declared g/kg is only",
  "warned about when its median is below 0.5 g/kg — a median of 1-3 could be either, so it is read as",
  "declared (the ingest report shows the median). Another: spectral columns named by wavelength in nm",
  "(350-2500) fall inside the wavenumber range and cannot be told apart by value; name spectral",
  "columns by wavenumber in cm-1.",
  "",
];
for (const area of areas) {
  const rs = rows.filter((r) => r.area === area);
  lines.push(`## ${area[0]!.toUpperCase()}${area.slice(1)} (${rs.length})`, "", "| kind | somflow | message |", "|---|---|---|");
  for (const r of rs)
    lines.push(`| ${clean(r.kind)} | ${clean(what(r))} | ${r.message ? `\`${short(clean(r.message)).replace(/`/g, "'")}\`` : "—"} |`);
  lines.push("");
}
const old = existsSync(doc) ? readFileSync(doc, "utf8") : "";
const keep = old.indexOf("## Store faults and concurrency");
writeFileSync(doc, lines.join("\n") + (keep >= 0 ? `\n${old.slice(keep)}` : ""));
console.error(`${doc}: ${rows.length} kinds (${counts[2]} exit 2, ${counts[1]} exit 1, ${counts[0]} exit 0)`);
