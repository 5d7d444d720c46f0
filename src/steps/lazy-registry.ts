/**
 * The built-in step types by name, each loaded only when a pipeline uses it: importing every
 * step module (and its zod schemas and core code) costs more CPU than a whole no-op rerun's
 * bookkeeping. `test/steps/lazy-registry.test.ts` keeps this table equal to `builtinSteps()`;
 * a type missing here still works, the CLI then loads the full registry.
 */
import type { StepDefinition } from "../engine/step.js";

type Loader = () => Promise<StepDefinition>;
const d = (def: unknown) => def as StepDefinition;

export const STEP_LOADERS: Readonly<Record<string, Loader>> = {
  "synth.library": async () => d((await import("./ingest/synth-library.js")).synthLibraryStep),
  "ingest.ossl": async () => d((await import("./ingest/ossl.js")).ingestOsslStep),
  "ingest.table": async () => d((await import("./ingest/table.js")).ingestTableStep),
  "ingest.opus": async () => d((await import("./ingest/opus.js")).ingestOpusStep),
  "library.merge": async () => d((await import("./ingest/merge.js")).libraryMergeStep),
  "spectra.preprocess": async () => d((await import("./spectra/preprocess.js")).spectraPreprocess),
  "qc.outliers": async () => d((await import("./qc/outliers.js")).qcOutliers),
  "harmonize.targets": async () => d((await import("./harmonize/targets.js")).harmonizeTargets),
  "harmonize.spectra": async () => d((await import("./harmonize/spectra.js")).harmonizeSpectra),
  "cnn.train": async () => d((await import("./cnn/train.js")).cnnTrainStep),
  "cnn.predict": async () => d((await import("./cnn/predict.js")).cnnPredictStep),
  "baseline.plsr": async () => d((await import("./baseline/plsr.js")).plsrStep),
  "model.select": async () => d((await import("./select/model-select.js")).modelSelectStep),
  "metrics.evaluate": async () => d((await import("./metrics/evaluate.js")).evaluateStep),
  "impute.hybrid": async () => d((await import("./impute/hybrid.js")).hybridStep),
};
