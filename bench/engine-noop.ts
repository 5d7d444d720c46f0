/**
 * No-op rerun benchmark: wall time of `somflow run` (Node start-up included) when every
 * step is cached, for a 50-step pipeline of small fixture steps and for the demo pipeline
 * (when its store exists). Target (issue 2): under 1.5 s.
 *   node --import tsx bench/engine-noop.ts [--demo]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/somflow.mjs");
const STEPS = join(ROOT, "test/engine/fixtures/steps.ts");

function pipeline50(): string {
  // A spine of 40 scale steps with 9 fan-in totals hanging off it: deep and wide enough.
  const lines = ["name: fifty", "steps:", "  s0:", "    uses: test.source", "    with:", "      n: 1000"];
  let prevScale = "s0";
  for (let i = 1; i < 50; i++) {
    if (i % 5 === 0) {
      lines.push(`  s${i}:`, "    uses: test.total", `    needs: [${prevScale}, s0]`);
    } else {
      lines.push(`  s${i}:`, "    uses: test.scale", `    needs: [${prevScale}]`, "    with:", `      factor: ${1 + (i % 3)}`);
      prevScale = `s${i}`;
    }
  }
  return lines.join("\n") + "\n";
}

function time(args: string[], runs = 5): { median: number; min: number } {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    walls.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`somflow ${args.join(" ")} failed: ${r.stderr}`);
    const steps = JSON.parse(r.stdout.toString()).steps as { status: string }[];
    if (steps.some((s) => s.status !== "cached")) throw new Error("not a no-op rerun: some step was not cached");
  }
  walls.sort((a, b) => a - b);
  return { median: walls[Math.floor(walls.length / 2)]!, min: walls[0]! };
}

const dir = mkdtempSync(join(tmpdir(), "somflow-bench-"));
const file = join(dir, "fifty.yaml");
writeFileSync(file, pipeline50());
const store = join(dir, "store");
execFileSync(process.execPath, [BIN, "run", file, "--steps", STEPS, "--store", store, "--json"], { stdio: "ignore" });
const fifty = time(["run", file, "--steps", STEPS, "--store", store, "--json"]);
console.log(`50-step pipeline, no-op rerun: median ${fifty.median.toFixed(2)} s, min ${fifty.min.toFixed(2)} s (5 runs)`);
const result: Record<string, unknown> = { fifty_steps_noop_s: +fifty.median.toFixed(3) };
if (process.argv.includes("--demo")) {
  const demo = time(["run", join(ROOT, "pipelines/demo.yaml"), "--json"]);
  console.log(`demo pipeline, no-op rerun: median ${demo.median.toFixed(2)} s, min ${demo.min.toFixed(2)} s (5 runs)`);
  result.demo_noop_s = +demo.median.toFixed(3);
}
console.log(JSON.stringify(result));
