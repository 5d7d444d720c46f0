/** The built-in step types. The engine never imports steps; the CLI hands it this list. */
import type { StepDefinition } from "../engine/step.js";
import { plsrStep } from "./baseline/plsr.js";
import { cnnPredictStep } from "./cnn/predict.js";
import { cnnTrainStep } from "./cnn/train.js";
import { harmonizeSpectra } from "./harmonize/spectra.js";
import { harmonizeTargets } from "./harmonize/targets.js";
import { hybridStep } from "./impute/hybrid.js";
import { libraryMergeStep } from "./ingest/merge.js";
import { ingestOpusStep } from "./ingest/opus.js";
import { ingestOsslStep } from "./ingest/ossl.js";
import { synthLibraryStep } from "./ingest/synth-library.js";
import { ingestTableStep } from "./ingest/table.js";
import { evaluateStep } from "./metrics/evaluate.js";
import { qcOutliers } from "./qc/outliers.js";
import { modelSelectStep } from "./select/model-select.js";
import { spectraPreprocess } from "./spectra/preprocess.js";

export function builtinSteps(): StepDefinition[] {
  return [
    synthLibraryStep,
    ingestOsslStep,
    ingestTableStep,
    ingestOpusStep,
    libraryMergeStep,
    spectraPreprocess,
    qcOutliers,
    harmonizeTargets,
    harmonizeSpectra,
    cnnTrainStep,
    cnnPredictStep,
    plsrStep,
    modelSelectStep,
    evaluateStep,
    hybridStep,
  ] as StepDefinition[];
}
