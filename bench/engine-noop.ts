/**
 * Start-up and no-op rerun benchmark, whole processes (Node start-up included):
 * - `somflow --help`;
 * - `somflow run` of a 50-step pipeline of small fixture steps when every step is cached, and,
 *   when `snakemake` is on PATH, Snakemake's no-op of an equivalent 50-rule chain (same shape:
 *   a spine with fan-in rules), interleaved run by run so both see the same host load; prints
 *   the ratio of the medians;
 * - with --demo, the demo pipeline's no-op rerun (its store must hold a finished run).
 * Targets (issue 13): --help < 0.25 s; 50-step no-op ≥ 4× faster than Snakemake; demo < 0.5 s.
 *   node --import tsx bench/engine-noop.ts [--demo] [--runs N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/somflow.mjs");
const STEPS = join(ROOT, "test/engine/fixtures/steps.ts");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

/** Step i's needs in both tools: a spine of 40 scale steps with 9 fan-in totals hanging off it. */
function shape(): { name: string; needs: string[]; kind: "source" | "scale" | "total"; factor: number }[] {
  const out: ReturnType<typeof shape> = [{ name: "s0", needs: [], kind: "source", factor: 0 }];
  let prevScale = "s0";
  for (let i = 1; i < 50; i++) {
    if (i % 5 === 0) out.push({ name: `s${i}`, needs: [prevScale, "s0"], kind: "total", factor: 0 });
    else {
      out.push({ name: `s${i}`, needs: [prevScale], kind: "scale", factor: 1 + (i % 3) });
      prevScale = `s${i}`;
    }
  }
  return out;
}

function pipeline50(): string {
  const lines = ["name: fifty", "steps:"];
  for (const s of shape()) {
    lines.push(`  ${s.name}:`, `    uses: test.${s.kind}`);
    if (s.needs.length) lines.push(`    needs: [${s.needs.join(", ")}]`);
    if (s.kind === "source") lines.push("    with:", "      n: 1000");
    if (s.kind === "scale") lines.push("    with:", `      factor: ${s.factor}`);
  }
  return lines.join("\n") + "\n";
}

/** The same DAG as Snakemake rules; each rule writes a small file. */
function snakefile50(): string {
  const rules = shape().map((s) => {
    const inputs = s.needs.map((n) => `"out/${n}.txt"`).join(", ");
    return `rule ${s.name}:\n${inputs ? `    input: ${inputs}\n` : ""}    output: "out/${s.name}.txt"\n    shell: "echo ${s.name} > {output}"\n`;
  });
  return `rule all:\n    input: "out/s49.txt", ${shape()
    .filter((s) => s.kind === "total")
    .map((s) => `"out/${s.name}.txt"`)
    .join(", ")}\n\n${rules.join("\n")}`;
}

/** GNU time, when installed, adds each command's CPU seconds (user + sys, children included): steadier than wall time on a busy host. */
const TIME = spawnSync("/usr/bin/time", ["-f", "%U", "true"]).status === 0 ? "/usr/bin/time" : null;
const cpu: Record<string, number[]> = {};

function wall(cmd: string, args: string[], cwd: string, check: (stdout: string) => void, label = cmd): number {
  const [bin, argv] = TIME ? [TIME, ["-f", "cpu %U %S", cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(bin, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  check(r.stdout.toString());
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.toString());
  if (m) (cpu[label] ??= []).push(Number(m[1]) + Number(m[2]));
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const allCached = (stdout: string) => {
  const steps = JSON.parse(stdout).steps as { status: string }[];
  if (steps.some((s) => s.status !== "cached")) throw new Error("not a no-op rerun: some step was not cached");
};
const hasSnakemake = spawnSync("snakemake", ["--version"], { stdio: "ignore" }).status === 0;

const dir = mkdtempSync(join(tmpdir(), "somflow-bench-"));
const file = join(dir, "fifty.yaml");
writeFileSync(file, pipeline50());
const store = join(dir, "store");
const somflowArgs = [BIN, "run", file, "--steps", STEPS, "--store", store, "--json"];
execFileSync(process.execPath, somflowArgs, { stdio: "ignore" });
const snakeDir = join(dir, "snake");
mkdirSync(snakeDir);
writeFileSync(join(snakeDir, "Snakefile"), snakefile50());
const snakeArgs = ["--cores", "1", "--quiet"];
if (hasSnakemake) execFileSync("snakemake", snakeArgs, { cwd: snakeDir, stdio: "ignore" });
const snakeNoop = (stdout: string) => {
  if (/\bJob stats\b|\bjobs?\b.*\bcount\b/.test(stdout)) throw new Error(`snakemake did work on a no-op: ${stdout}`);
};

const help: number[] = [];
const fifty: number[] = [];
const snake: number[] = [];
for (let i = 0; i < RUNS; i++) {
  help.push(wall(process.execPath, [BIN, "--help"], ROOT, () => {}, "help"));
  fifty.push(wall(process.execPath, somflowArgs, ROOT, allCached, "fifty"));
  if (hasSnakemake) snake.push(wall("snakemake", snakeArgs, snakeDir, snakeNoop, "snakemake"));
}
const fmtCpu = (label: string) => (cpu[label] ? `; CPU median ${median(cpu[label]!).toFixed(3)} s` : "");
const fmt = (xs: number[], label = "") =>
  `wall median ${median(xs).toFixed(3)} s, min ${Math.min(...xs).toFixed(3)} s (${xs.length} runs)${fmtCpu(label)}`;
console.log(`somflow --help: ${fmt(help, "help")}`);
console.log(`50-step pipeline, no-op rerun: ${fmt(fifty, "fifty")}`);
const result: Record<string, unknown> = { help_s: +median(help).toFixed(3), fifty_steps_noop_s: +median(fifty).toFixed(3) };
if (hasSnakemake) {
  const version = execFileSync("snakemake", ["--version"]).toString().trim();
  console.log(`snakemake ${version}, 50-rule chain, no-op: ${fmt(snake, "snakemake")}`);
  console.log(
    `ratio snakemake / somflow (medians): wall ${(median(snake) / median(fifty)).toFixed(2)}x` +
      (cpu.snakemake && cpu.fifty ? `, CPU ${(median(cpu.snakemake) / median(cpu.fifty)).toFixed(2)}x` : ""),
  );
  Object.assign(result, {
    snakemake_version: version,
    snakemake_noop_s: +median(snake).toFixed(3),
    ratio: +(median(snake) / median(fifty)).toFixed(2),
  });
} else {
  console.log("snakemake not on PATH: no side-by-side comparison (apt-get install snakemake)");
}
if (process.argv.includes("--demo")) {
  const demo = Array.from({ length: RUNS }, () =>
    wall(process.execPath, [BIN, "run", join(ROOT, "pipelines/demo.yaml"), "--json"], ROOT, allCached, "demo"),
  );
  console.log(`demo pipeline, no-op rerun: ${fmt(demo, "demo")}`);
  result.demo_noop_s = +median(demo).toFixed(3);
}
for (const [label, xs] of Object.entries(cpu)) result[`${label}_cpu_s`] = +median(xs).toFixed(3);
console.log(JSON.stringify(result));
