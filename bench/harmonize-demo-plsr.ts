/**
 * The demo's science chain up to the PLSR baseline, in memory, per harmonize method: how the
 * harmonize setting moves the demo's PLSR metrics (its CI checks). Run:
 * node --import tsx bench/harmonize-demo-plsr.ts [n] [seed] [methods]
 */
import { runStepInMemory, type MemoryInput } from "../src/engine/memory-step.js";
import { synthLibraryStep } from "../src/steps/ingest/synth-library.js";
import { spectraPreprocess } from "../src/steps/spectra/preprocess.js";
import { qcOutliers } from "../src/steps/qc/outliers.js";
import { harmonizeTargets } from "../src/steps/harmonize/targets.js";
import { harmonizeSpectra } from "../src/steps/harmonize/spectra.js";
import { plsrStep } from "../src/steps/baseline/plsr.js";

const n = Number(process.argv[2] ?? 3000);
const seed = Number(process.argv[3] ?? 42);
const methods = (process.argv[4] ?? "none,coral,instrument").split(",");
const inp = (step: string, type: string, r: { artifact: MemoryInput["artifact"] }): MemoryInput => ({ step, type, artifact: r.artifact });
const lib = await runStepInMemory(synthLibraryStep, { n, seed });
const pre = await runStepInMemory(spectraPreprocess, { grid: { from: 600, to: 4000, step: 4 }, out_of_range: "trim" }, [
  inp("library", "synth.library", lib),
]);
const qc = await runStepInMemory(qcOutliers, { seed }, [
  inp("library", "synth.library", lib),
  inp("preprocess", "spectra.preprocess", pre),
]);
const tg = await runStepInMemory(harmonizeTargets, {}, [inp("qc", "qc.outliers", qc)]);
for (const method of methods) {
  const t0 = Date.now();
  const h = await runStepInMemory(harmonizeSpectra, { method }, [
    inp("preprocess", "spectra.preprocess", pre),
    inp("targets", "harmonize.targets", tg),
  ]);
  const dt = (Date.now() - t0) / 1000;
  const pl = await runStepInMemory(plsrStep, { target: "c", seed }, [
    inp("harmonize", "harmonize.spectra", h),
    inp("targets", "harmonize.targets", tg),
  ]);
  const pr = pl.artifact.tables.get("predictions")!;
  const split = pr.split as string[];
  const obs = pr.observed as ArrayLike<number>;
  const pred = pr.predicted as ArrayLike<number>;
  const src = pr.source as string[];
  const rmse = (f: (i: number) => boolean) => {
    let se = 0;
    let e = 0;
    let k = 0;
    for (let i = 0; i < split.length; i++)
      if (split[i] === "test" && Number.isFinite(obs[i]!) && f(i)) {
        se += (pred[i]! - obs[i]!) ** 2;
        e += pred[i]! - obs[i]!;
        k++;
      }
    return `${Math.sqrt(se / k).toFixed(1)} (bias ${(e / k).toFixed(1)}, n ${k})`;
  };
  console.log(
    `${method} (harmonize ${dt.toFixed(1)} s): test RMSE ${rmse(() => true)}; ` +
      [...new Set(src)].map((x) => `${x} ${rmse((i) => src[i] === x)}`).join(", "),
  );
}
