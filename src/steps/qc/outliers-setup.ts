/**
 * What `qc.outliers` hands to outlierQc (src/core/qc/outlier-qc.ts), read from its inputs: the
 * samples' columns, the spectra stacked on their one grid, and spectra.preprocess's scan defects.
 */
import { StepInputError, type StepInputs } from "../../engine/step.js";
import { offGridBlock, stackBlocks, type SpectraBlock } from "../../core/spectra/block.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";

/** spectra.preprocess's native-grid scan defects by spectrum id (its preprocess_log), if an input has them. */
export async function knownDefects(inputs: StepInputs): Promise<Map<string, string[]> | undefined> {
  const logs = inputs.findAll("preprocess_log");
  if (!logs.length) return undefined;
  const log = await logs[0]!.table("preprocess_log");
  if (!log.defects) return undefined;
  const ids = textColumn(log, "sample_id");
  const defects = textColumn(log, "defects");
  const map = new Map<string, string[]>();
  ids.forEach((id, i) => {
    if (id && defects[i]) map.set(id, [...(map.get(id) ?? []), ...defects[i]!.split(";")]);
  });
  return map;
}

/** The samples' columns outlierQc reads (absent ones null / NaN). */
export function sampleColumns(samples: Table) {
  const n = tableRowCount(samples);
  const text = (name: string) => (samples[name] ? textColumn(samples, name) : new Array<string | null>(n).fill(null));
  const num = (name: string) => (samples[name] ? numberColumn(samples, name) : new Float64Array(n).fill(NaN));
  return {
    sampleId: textColumn(samples, "sample_id"),
    source: text("source"),
    c: num("c_gkg"),
    om: num("om_gkg"),
    cMethod: text("c_method"),
    omMethod: text("om_method"),
  };
}

export type SampleColumns = ReturnType<typeof sampleColumns>;

/** The blocks stacked with their known defects; refuses blocks on different grids. */
export async function qcSpectra(blocks: SpectraBlock[], inputs: StepInputs) {
  const off = offGridBlock(blocks);
  if (off) {
    throw new StepInputError(
      `source "${off.source}" is on a different grid than "${blocks[0]!.source}": qc.outliers needs spectra on one grid (run spectra.preprocess first)`,
    );
  }
  return { ...stackBlocks(blocks), knownDefects: await knownDefects(inputs) };
}
