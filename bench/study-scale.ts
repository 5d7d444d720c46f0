/**
 * Study-scale benchmark (issue 8): runs pipelines/study-scale.yaml from an empty store at a
 * given size, then a no-op rerun, then plans (and optionally runs) a change of one CNN option,
 * then builds the report. Prints per-step wall time, peak RSS and training samples/s as
 * markdown for bench/RESULTS.md.
 *   node --import tsx bench/study-scale.ts [--n 57000] [--store DIR] [--rerun-changed]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { RunRecord } from "../src/engine/run-record.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/somflow.mjs");
const PIPELINE = join(ROOT, "pipelines/study-scale.yaml");
const { values } = parseArgs({
  options: {
    n: { type: "string", default: "57000" },
    epochs: { type: "string" },
    store: { type: "string" },
    "rerun-changed": { type: "boolean" },
  },
});
const n = Number(values.n);
const store = values.store ?? join(mkdtempSync(join(tmpdir(), "somflow-study-")), "store");

function somflow(args: string[], inherit = false): { wall: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", inherit ? "inherit" : "pipe"], maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`somflow ${args.join(" ")} exited ${r.status}: ${r.stderr ?? ""}`);
  return { wall, stdout: r.stdout.toString() };
}

const params = ["-p", `n=${n}`, ...(values.epochs ? ["-p", `epochs=${values.epochs}`] : [])];
const runArgs = ["run", PIPELINE, ...params, "--store", store, "--json"];
const first = somflow(runArgs, true);
const runId = JSON.parse(first.stdout.trim().split("\n").at(-1)!).run_id as string;
const record = JSON.parse(readFileSync(join(store, "runs", `${runId}.json`), "utf8")) as RunRecord;
const noop = somflow(runArgs);
const noopStatuses = (JSON.parse(noop.stdout).steps as { status: string }[]).map((s) => s.status);
const plan = JSON.parse(somflow(["plan", PIPELINE, ...params, "-p", "c_dropout=0.15", "--store", store, "--json"]).stdout) as {
  name: string;
  status: string;
  reasons: string[];
}[];
let changed: { wall: number; ran: string[] } | null = null;
if (values["rerun-changed"]) {
  const r = somflow(["run", PIPELINE, ...params, "-p", "c_dropout=0.15", "--store", store, "--json"]);
  changed = {
    wall: r.wall,
    ran: (JSON.parse(r.stdout).steps as { name: string; status: string }[]).filter((s) => s.status === "ran").map((s) => s.name),
  };
}
const report = somflow(["report", PIPELINE, ...params, "--store", store, "--out", join(store, "..", "report")]);

const lines: string[] = [];
lines.push(
  `### Study-scale run, n = ${n.toLocaleString("en")}${values.epochs ? `, epochs = ${values.epochs}` : ""} (${new Date().toISOString().slice(0, 10)})`,
);
lines.push("");
lines.push(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; commit ${record.git_commit?.slice(0, 10) ?? "?"}; run ${record.run_id}.`,
);
lines.push("");
lines.push("| step | type | wall s | peak RSS MB (running) | notes |");
lines.push("|---|---|---:|---:|---|");
for (const s of record.steps) {
  const f = s.facts;
  const notes = [
    f.backend ? `backend ${f.backend}` : "",
    f.threads ? `${f.threads} threads` : "",
    typeof f.cnn_samples_per_s === "number" ? `${f.cnn_samples_per_s} samples/s on ${f.cnn_n_train} training spectra` : "",
  ]
    .filter(Boolean)
    .join(", ");
  lines.push(`| ${s.name} | ${s.type} | ${s.seconds.toFixed(1)} | ${s.peak_rss_mb ?? "—"} | ${notes} |`);
}
lines.push("");
lines.push(
  `- Whole pipeline from an empty store: **${first.wall.toFixed(0)} s** wall (${(first.wall / 60).toFixed(1)} min), peak RSS **${record.peak_rss_mb} MB**.`,
);
lines.push(
  `- No-op rerun: **${noop.wall.toFixed(2)} s** wall, ${noopStatuses.filter((s) => s === "cached").length}/${noopStatuses.length} steps cached.`,
);
lines.push(
  `- Plan after changing one CNN option (\`c_dropout\`): would rerun ${plan
    .filter((p) => p.status === "run")
    .map((p) => `${p.name} (${p.reasons.join("; ")})`)
    .join(", ")}.`,
);
if (changed) lines.push(`- That run: ${changed.wall.toFixed(0)} s, ran ${changed.ran.join(", ")}.`);
lines.push(`- Report build: **${report.wall.toFixed(1)} s**.`);
console.log(lines.join("\n"));
