/**
 * SLURM executor costs on a one-node cluster (test/slurm/cluster.sh start; SLURM_CONF set):
 * 1. per-job overhead: a chain of K trivial steps, `--executor slurm` vs in-process;
 *    (slurm wall − local wall) / K, with the queue wait the jobs recorded;
 * 2. a fan-out: pipelines/examples/cv-slurm.yaml (10-fold CNN + PLSR = 20 model steps) with
 *    `--executor slurm --jobs 2` vs local `--jobs 2` on the same cores, the shared prefix
 *    (library … harmonize) cached in both stores first.
 *   node --import tsx bench/slurm-fanout.ts [--chain 10] [--n 1000] [--epochs 15] [--cnn-cpus 1]
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { chain: { type: "string" }, n: { type: "string" }, epochs: { type: "string" }, "cnn-cpus": { type: "string" } },
});
const K = Number(values.chain ?? 10);
const N = Number(values.n ?? 1000);
const EPOCHS = Number(values.epochs ?? 15);
// Cores per CNN job, the same in both arms: 2 on a 2-CPU node makes SLURM run one CNN at a
// time, while the local executor runs --jobs 2 steps side by side whatever their cpus.
const CNN_CPUS = Number(values["cnn-cpus"] ?? 1);
const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/somflow.mjs");
const STEPS = join(ROOT, "test/engine/fixtures/steps.ts");
if (!process.env.SLURM_CONF) throw new Error('SLURM_CONF is not set: eval "$(bash test/slurm/cluster.sh start)" first');

function somflow(args: string[]): { seconds: number; out: string } {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: "true" },
    maxBuffer: 64 << 20,
  }).toString();
  return { seconds: (performance.now() - t0) / 1000, out };
}

const dir = await mkdtemp(join(tmpdir(), "somflow-slurm-bench-"));
const chain = ["name: chain", "steps:", "  s0: { uses: test.source, with: { n: 5 } }"];
for (let i = 1; i < K; i++) chain.push(`  s${i}: { uses: test.total, needs: [s${i - 1}] }`);
await writeFile(join(dir, "chain.yaml"), chain.join("\n") + "\n");

const local = somflow(["run", join(dir, "chain.yaml"), "--steps", STEPS, "--store", join(dir, "c-local"), "--json"]);
const remote = somflow([
  "run",
  join(dir, "chain.yaml"),
  "--steps",
  STEPS,
  "--store",
  join(dir, "c-slurm"),
  "--json",
  "--executor",
  "slurm",
]);
const runId = (JSON.parse(remote.out) as { run_id: string }).run_id;
const record = JSON.parse(await readFile(join(dir, "c-slurm", "runs", `${runId}.json`), "utf8")) as {
  steps: { seconds: number; facts: Record<string, unknown> }[];
};
const waits = record.steps.map((s) => Number(s.facts.slurm_queue_wait_s)).sort((a, b) => a - b);
const own = record.steps.map((s) => s.seconds).sort((a, b) => a - b);
console.log(`chain of ${K} steps: local ${local.seconds.toFixed(1)} s, slurm ${remote.seconds.toFixed(1)} s`);
console.log(
  `  overhead per job ${((remote.seconds - local.seconds) / K).toFixed(2)} s; median queue wait (submit -> job start) ${waits[K >> 1]!.toFixed(2)} s; median job run (start -> commit) ${own[K >> 1]!.toFixed(2)} s`,
);

const cv = join(ROOT, "pipelines/examples/cv-slurm.yaml");
const params = ["-p", `n=${N}`, "-p", `epochs=${EPOCHS}`, "-p", `cnn_cpus=${CNN_CPUS}`];
const times: Record<string, number> = {};
for (const [label, extra] of [
  ["local", []],
  ["slurm", ["--executor", "slurm"]],
] as const) {
  const store = join(dir, `cv-${label}`);
  somflow(["run", cv, ...params, "--store", store, "--only", "harmonize"]);
  times[label] = somflow(["run", cv, ...params, "--store", store, "--jobs", "2", "--json", ...extra]).seconds;
}
const same = execFileSync("bash", [
  "-c",
  `diff <(ls ${join(dir, "cv-local/artifacts")}) <(ls ${join(dir, "cv-slurm/artifacts")}) >/dev/null && echo identical || echo DIFFERENT`,
])
  .toString()
  .trim();
console.log(
  `cv-slurm fan-out (n ${N}, ${EPOCHS} epochs, cnn cpus ${CNN_CPUS}, 20 model steps + evaluate, --jobs 2): local ${times.local!.toFixed(1)} s, slurm ${times.slurm!.toFixed(1)} s (${((times.slurm! / times.local! - 1) * 100).toFixed(1)} %); artifacts ${same}`,
);
