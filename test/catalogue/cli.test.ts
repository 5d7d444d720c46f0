/**
 * Catalogue: command-line arguments and `export` misuse, through the CLI's `main` in process.
 * One small store with one run serves every case; after all of them the store holds no
 * temp or half-written file and nothing was written next to the --out targets.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { assertCase, leftovers, type Case, type Outcome } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "somflow-cat-cli-"));
const store = join(dir, "store");
const out = join(dir, "out");
mkdirSync(out);
const STEPS = resolve("test/catalogue/fixtures/steps.ts");
const pipeline = join(dir, "p.yaml");
writeFileSync(pipeline, "name: cat\nsteps:\n  evil:\n    uses: cat.evil\n");
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** `somflow <args>` in process: its exit code and what it printed to stderr. */
async function cli(...args: string[]): Promise<Outcome> {
  const lines: string[] = [];
  const err = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    const exit = await main(args);
    return { exit, message: lines.join("\n") };
  } finally {
    err.mockRestore();
    log.mockRestore();
  }
}
const exp = (...args: string[]) => cli("export", ...args, "--store", store);
const csvCells = (p: string) =>
  readFileSync(p, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.slice(0, l.lastIndexOf(","))); // value is the last column

export const cliCases: Case[] = [
  { kind: "CLI: unknown command", run: () => cli("rnu"), exit: 2, message: /somflow: unknown command "rnu"\n\nsomflow — .*Commands:/s },
  {
    kind: "CLI: unknown option",
    run: () => cli("plan", pipeline, "--frobnicate"),
    exit: 2,
    message: /somflow plan: Unknown option '--frobnicate'.*\nUsage: somflow plan/s,
  },
  { kind: "CLI: missing pipeline argument", run: () => cli("plan"), exit: 2, message: /somflow plan: expected 1 argument, got 0: none/ },
  {
    kind: "CLI: pipeline file that does not exist",
    run: () => cli("plan", join(dir, "nope.yaml"), "--store", store),
    exit: 2,
    message: /nope\.yaml: cannot read pipeline file: ENOENT/,
  },
  {
    kind: "CLI: plan with -p of an undeclared param",
    run: () => cli("plan", pipeline, "-p", "x=1", "--store", store, "--steps", STEPS),
    exit: 2,
    message: /--param x: .*p\.yaml declares no such param \(declared: none\)/,
  },
  {
    kind: "CLI: run of a pipeline with a __proto__ step",
    does: "refuses before running anything: no run record, no artifact",
    run: () =>
      cli(
        "run",
        file("proto.yaml", "name: x\nsteps:\n  __proto__:\n    uses: cat.evil\n"),
        "--store",
        join(dir, "store-proto"),
        "--steps",
        STEPS,
      ),
    exit: 2,
    message: /proto\.yaml:\d+:\d+ \(steps\.__proto__\): "__proto__" cannot be used as a name/,
    check: () => expect(existsSync(join(dir, "store-proto", "runs")) ? readdirSync(join(dir, "store-proto", "runs")) : []).toEqual([]),
  },
  {
    kind: "CLI: run of an empty pipeline file",
    run: () => cli("run", file("empty.yaml", ""), "--store", store, "--steps", STEPS),
    exit: 2,
    message: /empty\.yaml:1: the file is empty/,
  },
  {
    kind: "CLI: run with a bad check condition (ran every step before failing)",
    run: () =>
      cli(
        "run",
        file("chk.yaml", "name: x\nsteps:\n  evil:\n    uses: cat.evil\nchecks:\n  evil.c.r2: '>= banana'\n"),
        "--store",
        store,
        "--steps",
        STEPS,
      ),
    exit: 2,
    message: /chk\.yaml:6:\d+ \(checks\.evil\.c\.r2\): check condition ">= banana"/,
  },
  {
    kind: "export: without --out",
    run: () => exp("ids"),
    exit: 2,
    message: /--out FILE is required \(\.csv or \.parquet; \.json for a JSON output\)/,
  },
  {
    kind: "export: --out with an unknown extension",
    run: () => exp("ids", "--out", join(out, "ids.xlsx")),
    exit: 2,
    message: /--out .*ids\.xlsx: the file must end in \.csv or \.parquet \(tables\) or \.json/,
  },
  {
    kind: "export: --out into a folder that does not exist",
    run: () => exp("ids", "--out", join(out, "nope", "ids.csv")),
    exit: 2,
    message: /--out .*ids\.csv: folder .*nope does not exist/,
  },
  {
    kind: "export: --out onto a directory (EISDIR stack and a temp file before)",
    run: () => {
      mkdirSync(join(out, "adir.csv"), { recursive: true });
      return exp("ids", "--out", join(out, "adir.csv"));
    },
    exit: 2,
    message: /--out .*adir\.csv is a directory; name a file \(e\.g\. .*adir\.csv\/adir\.csv\)/,
  },
  {
    kind: "export: sidecar path is a directory",
    run: () => {
      mkdirSync(join(out, "side.csv.json"), { recursive: true });
      return exp("ids", "--out", join(out, "side.csv"));
    },
    exit: 2,
    message: /the sidecar .*side\.csv\.json is a directory; name a file .* for --out/,
    check: () => expect(readdirSync(out)).not.toContain("side.csv"),
  },
  {
    kind: "export: a JSON output asked as CSV (stack before)",
    run: () => exp("report", "--out", join(out, "r.csv")),
    exit: 2,
    message:
      /has no table "report"; "report" is a JSON output: export it with --out report\.json; tables: ids \(evil\); JSON outputs: report \(evil\)/,
  },
  {
    kind: "export: a JSON output to .json",
    does: "writes the JSON output as it is, with a sidecar",
    run: () => exp("report", "--out", join(out, "r.json")),
    exit: 0,
    check: () => {
      expect(JSON.parse(readFileSync(join(out, "r.json"), "utf8"))).toEqual({ rows: 7, note: "fixture" });
      expect(JSON.parse(readFileSync(join(out, "r.json.json"), "utf8"))).toMatchObject({ table: "report", format: "json", step: "evil" });
    },
  },
  {
    kind: "export: a table asked as .json",
    run: () => exp("ids", "--out", join(out, "ids.json")),
    exit: 2,
    message: /has no JSON output "ids"; "ids" is a table: export it to \.csv or \.parquet/,
  },
  {
    kind: "export: a table no step wrote",
    run: () => exp("hybrid", "--out", join(out, "h.csv")),
    exit: 2,
    message: /run \S+ has no table "hybrid"; tables: ids \(evil\)/,
  },
  {
    kind: "export: --step that wrote no such table",
    run: () => exp("ids", "--step", "nope", "--out", join(out, "h.csv")),
    exit: 2,
    message: /has no table "ids" in step nope/,
  },
  {
    kind: "export: --run that does not exist",
    run: () => exp("ids", "--run", "zzzz", "--out", join(out, "h.csv")),
    exit: 2,
    message: /--run zzzz: no such run in .*store; list them with `somflow runs`/,
  },
  {
    kind: "export: empty store",
    run: () => cli("export", "ids", "--out", join(out, "e.csv"), "--store", join(dir, "store-empty")),
    exit: 2,
    message: /no runs in .*store-empty; run `somflow run <pipeline>` first/,
  },
  {
    kind: "export: CSV formula injection in ids (=HYPERLINK, +cmd, -2+3, @SUM, TAB)",
    does: "prefixes those text cells with ' in CSV and says how many",
    run: () => exp("ids", "--out", join(out, "ids.csv")),
    exit: 0,
    check: (o) => {
      expect(csvCells(join(out, "ids.csv"))).toEqual([
        `"'=HYPERLINK(""http://evil"",""x"")"`,
        `'+cmd|' /C calc'!A0`,
        `'-2+3`,
        `'@SUM(A1)`,
        `'\tTAB`,
        "plain",
        "a=b",
      ]);
      expect(o.message).toMatch(/5 text cells starting with = \+ - @ TAB or CR got a leading ' .*--raw keeps exact values/);
      expect(JSON.parse(readFileSync(join(out, "ids.csv.json"), "utf8")).formula_cells_neutralized).toBe(5);
      // numbers are not text: the -3 stays a number
      expect(readFileSync(join(out, "ids.csv"), "utf8")).toMatch(/'-2\+3,-3\.0\n/);
    },
  },
  {
    kind: "export: --raw keeps exact values",
    does: "writes the cells unchanged",
    run: () => exp("ids", "--raw", "--out", join(out, "raw.csv")),
    exit: 0,
    check: () => expect(csvCells(join(out, "raw.csv"))[1]).toBe("+cmd|' /C calc'!A0"),
  },
  {
    kind: "export: Parquet with formula-like ids",
    does: "writes the exact values (Parquet is not evaluated by spreadsheets)",
    run: () => exp("ids", "--out", join(out, "ids.parquet")),
    exit: 0,
    check: async () => {
      const { queryTable, quoteString } = await import("../../src/engine/store/duck.js");
      const t = await queryTable(`SELECT sample_id FROM read_parquet(${quoteString(join(out, "ids.parquet"))})`);
      expect((t.sample_id as string[])[0]).toBe('=HYPERLINK("http://evil","x")');
    },
  },
];

describe("catalogue: command line and export", () => {
  beforeAll(async () => {
    const r = await cli("run", pipeline, "--store", store, "--steps", STEPS);
    expect(r.exit, r.message).toBe(0);
  }, 60_000);
  for (const c of cliCases) it(c.kind, () => assertCase(c, "command line and export"), 30_000);
  afterAll(() => {
    // nothing half-written: no temp files in the store or beside the exports
    expect(leftovers(dir)).toEqual([]);
    expect(readdirSync(join(store, "tmp"))).toEqual([]);
  });
});
