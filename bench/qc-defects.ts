/**
 * QC precision and recall against the synthetic library's ground-truth defect list, over
 * library sizes and seeds (synth.library → spectra.preprocess as in the demo → qc.outliers with
 * its defaults plus any --options JSON). One line per run, then the range per size.
 *
 * Usage: node --import tsx bench/qc-defects.ts [--n 800,1500,3000,8000] [--seeds 42,7,1] [--options '{"q_z":4}']
 */
import { runStepInMemory } from "../src/engine/memory-step.js";
import { synthLibraryStep } from "../src/steps/ingest/synth-library.js";
import { spectraPreprocess } from "../src/steps/spectra/preprocess.js";
import { qcOutliers } from "../src/steps/qc/outliers.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const sizes = arg("n", "800,1500,3000,8000").split(",").map(Number);
const seeds = arg("seeds", "42,7,1").split(",").map(Number);
const extra = JSON.parse(arg("options", "{}")) as Record<string, unknown>;

console.log(`qc.outliers options ${JSON.stringify(extra)} (defaults otherwise)`);
for (const n of sizes) {
  const ps: number[] = [];
  const rs: number[] = [];
  for (const seed of seeds) {
    const lib = await runStepInMemory(synthLibraryStep, { n, seed });
    const library = { step: "library", type: "synth.library", artifact: lib.artifact };
    const pre = await runStepInMemory(spectraPreprocess, { grid: { from: 600, to: 4000, step: 4 }, out_of_range: "trim" }, [library]);
    const t0 = performance.now();
    const res = await runStepInMemory(qcOutliers, { seed, ...extra }, [
      library,
      { step: "preprocess", type: "spectra.preprocess", artifact: pre.artifact },
    ]);
    const p = res.records.qc_precision as number;
    const r = res.records.qc_recall as number;
    ps.push(p);
    rs.push(r);
    const detail = res.logs.find((l) => l.startsWith("vs truth"))?.replace(/^vs truth: precision [\d.]+, recall [\d.]+ /, "") ?? "";
    console.log(
      `n=${n} seed=${seed}: precision ${p.toFixed(3)} recall ${r.toFixed(3)} ${detail} (qc ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  const range = (a: number[]) => `${Math.min(...a).toFixed(3)}–${Math.max(...a).toFixed(3)}`;
  console.log(`n=${n}: precision ${range(ps)}, recall ${range(rs)} over seeds ${seeds.join(",")}`);
}
