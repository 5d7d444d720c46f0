/**
 * Cost of checking cached inputs against their seals' content hashes (issue: verified store).
 * On the demo pipeline (n 3000):
 *   1. a full run from an empty store (nothing is verified: every input is made in the run);
 *   2. no-op reruns, verification on and off, interleaved (nothing may be read: equal times);
 *   3. a downstream rerun (--force plsr-c plsr-om impute: every big cached input — library,
 *      harmonized spectra, targets, two CNN models — is hashed before they run), on and off,
 *      interleaved; the difference is the verification;
 *   4. `verify` of the whole store: every artifact hashed once, the most any run can spend.
 * Runs in this process (runPipeline), so Node start-up is not in the numbers.
 *   nice -n 10 node --import tsx bench/verify-cost.ts [--epochs 5] [--reps 3] [--noop-reps 7] [--store DIR]
 * `--store DIR` reuses a store this script filled before (its first run record gives the full
 * run's time) instead of running the pipeline from scratch again.
 * Fewer CNN epochs than the demo's 40 make the full run shorter, so the ratio is pessimistic.
 */
import { mkdtemp, readFile, readdir, stat } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadPipeline, type Registry } from "../src/engine/pipeline.js";
import { runPipeline } from "../src/engine/runner.js";
import { layout } from "../src/engine/store/layout.js";
import { listRuns } from "../src/engine/store/records.js";
import { verifyStore } from "../src/engine/store/verify.js";
import { builtinSteps } from "../src/steps/registry.js";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "5" },
    reps: { type: "string", default: "3" },
    "noop-reps": { type: "string", default: "7" },
    store: { type: "string" },
    // At scale (e.g. --pipeline pipelines/study-scale.yaml --set n=57000 --only plsr-c,plsr-om
    // --force plsr-c,plsr-om --full-run-s 1995): the model steps that run cheaply, and the full
    // run's time from the study-scale bench, since a full 57k run does not fit a session.
    pipeline: { type: "string", default: "pipelines/demo.yaml" },
    set: { type: "string", multiple: true, default: [] },
    only: { type: "string" },
    force: { type: "string", default: "plsr-c,plsr-om,impute" },
    "full-run-s": { type: "string" },
  },
});
const reps = Number(values.reps);
const noopReps = Number(values["noop-reps"]);
const ROOT = resolve(import.meta.dirname, "..");
const registry: Registry = new Map(builtinSteps().map((d) => [d.type, d]));
const PIPELINE = resolve(ROOT, values.pipeline!);
const pipeline = await loadPipeline(PIPELINE, registry, { overrides: [`epochs=${values.epochs}`, ...values.set!] });
const ONLY = values.only?.split(",").filter(Boolean);
const FORCE = values.force!.split(",").filter(Boolean);
const LABEL = `${pipeline.name}${values.set!.length ? ` ${values.set!.join(" ")}` : ""}, epochs ${values.epochs}${ONLY ? `, only ${ONLY.join("+")} and what they need` : ""}`;
const store = values.store ? resolve(values.store) : join(await mkdtemp(join(tmpdir(), "somflow-verify-cost-")), "store");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (s: string) => process.stderr.write(`${s}\n`);

/** Bytes this process has read through read(2) so far (Linux /proc): independent of the host's load. */
const rchar = async () => Number(/rchar: (\d+)/.exec(await readFile("/proc/self/io", "utf8"))![1]);
const readMB: Record<string, number[]> = {};

async function timed(
  opts: { force?: string[]; verifyInputs: boolean },
  expect: (statuses: string[]) => boolean,
  label?: string,
): Promise<number> {
  const r0 = await rchar();
  const t0 = performance.now();
  const r = await runPipeline(pipeline, { store, only: ONLY, ...opts });
  const s = (performance.now() - t0) / 1000;
  if (label) (readMB[label] ??= []).push(((await rchar()) - r0) / 1e6);
  if (r.status !== "ok" || !expect(r.steps.map((x) => x.status)))
    throw new Error(`unexpected run: ${r.steps.map((x) => `${x.name}=${x.status}`).join(" ")}`);
  return s;
}

async function storeBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += (await stat(join(e.parentPath, e.name))).size;
  return n;
}

let full: number;
let fullLabel = `full run (${LABEL})`;
const firstRun = values.store ? (await listRuns(layout(store)))[0] : undefined;
if (firstRun) {
  if (
    firstRun.pipeline !== pipeline.name ||
    firstRun.steps.some((s) => s.status !== "ran") ||
    firstRun.params.epochs !== Number(values.epochs)
  ) {
    throw new Error(`${store}: its first run is not a full ${pipeline.name} run with epochs ${values.epochs}`);
  }
  full = firstRun.seconds;
  log(`full run taken from ${store}'s first run record: ${full.toFixed(1)} s`);
} else {
  log(`${fullLabel} into ${store} ...`);
  full = await timed({ verifyInputs: true }, (s) => s.every((x) => x === "ran"));
  log(`  ${full.toFixed(1)} s`);
}
if (values["full-run-s"]) {
  log(`first run (${full.toFixed(1)} s) is partial; percentages below are of the given full run, ${values["full-run-s"]} s`);
  fullLabel = `full run as given with --full-run-s (the first run here, ${LABEL}, took ${full.toFixed(1)} s)`;
  full = Number(values["full-run-s"]);
}

// Each measurement alternates the arm that goes first, and no-op reruns are measured in a loop
// of their own (after a run that rewrote artifacts, the first no-op rerun is slower either way).
const noop: Record<"on" | "off", number[]> = { on: [], off: [] };
const down: Record<"on" | "off", number[]> = { on: [], off: [] };
const order = (i: number) => (i % 2 ? (["off", "on"] as const) : (["on", "off"] as const));
await timed({ verifyInputs: true }, (s) => s.every((x) => x === "cached")); // warm-up, not counted
for (let i = 0; i < noopReps; i++) {
  for (const arm of order(i))
    noop[arm].push(await timed({ verifyInputs: arm === "on" }, (s) => s.every((x) => x === "cached"), `noop-${arm}`));
  log(`  no-op rep ${i + 1}: on ${noop.on.at(-1)!.toFixed(2)} s, off ${noop.off.at(-1)!.toFixed(2)} s`);
}
for (let i = 0; i < reps; i++) {
  for (const arm of order(i))
    down[arm].push(await timed({ verifyInputs: arm === "on", force: FORCE }, (s) => s.includes("ran"), `down-${arm}`));
  log(`  forced ${FORCE.join("+")} rep ${i + 1}: on ${down.on.at(-1)!.toFixed(2)} s, off ${down.off.at(-1)!.toFixed(2)} s`);
}
const t0 = performance.now();
const v = await verifyStore(store);
const verifyAll = (performance.now() - t0) / 1000;
if (v.problems.some((p) => p.severity === "corrupt")) throw new Error("store has corrupt artifacts");
const bytes = await storeBytes(join(store, "artifacts"));

const m = { noopOn: median(noop.on), noopOff: median(noop.off), downOn: median(down.on), downOff: median(down.off) };
const pct = (x: number) => `${((100 * x) / full).toFixed(1)} %`;
console.log(
  `verify-cost: ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, reps ${reps} (no-op ${noopReps})`,
);
console.log(`${fullLabel}: ${full.toFixed(1)} s`);
const mb = (k: string) => `${median(readMB[k]!).toFixed(2)} MB`;
console.log(
  `no-op rerun, median: verification on ${m.noopOn.toFixed(2)} s, off ${m.noopOff.toFixed(2)} s; bytes read by the process: on ${mb("noop-on")}, off ${mb("noop-off")}`,
);
console.log(`  (artifacts in the store: ${(bytes / 1e6).toFixed(1)} MB)`);
console.log(`forced rerun, bytes read by the process: on ${mb("down-on")}, off ${mb("down-off")}`);
console.log(
  `rerun of ${FORCE.join(", ")} on cached inputs, median: on ${m.downOn.toFixed(2)} s, off ${m.downOff.toFixed(2)} s; difference ${(m.downOn - m.downOff).toFixed(2)} s = ${pct(m.downOn - m.downOff)} of the full run`,
);
console.log(
  `verify of the whole store: ${v.artifacts.checked} artifacts, ${(bytes / 1e6).toFixed(1)} MB in ${verifyAll.toFixed(2)} s (${(bytes / 1e6 / verifyAll).toFixed(0)} MB/s) = ${pct(verifyAll)} of the full run (the most one run can spend)`,
);
