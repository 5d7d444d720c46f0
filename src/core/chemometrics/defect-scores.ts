/**
 * Precision and recall of QC flags against a ground-truth defect list (the synthetic
 * library's `truth.defect`). Matching is by sample id: an id counts as flagged when any of its
 * rows is flagged, and as defective when any of its truth rows has a defect (duplicate ids
 * collapse to one id). Per-defect recall tells which injected defect type QC misses.
 */
export interface DefectScores {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** TP / (TP + FP); 1 when nothing is flagged. */
  precision: number;
  /** TP / (TP + FN); 1 when there is no defect. */
  recall: number;
  /** defect type → { total, found, recall }. */
  byDefect: Record<string, { total: number; found: number; recall: number }>;
}

export function defectScores(
  flags: { sampleId: ArrayLike<string | null>; flagged: ArrayLike<boolean | null> },
  truth: { sampleId: ArrayLike<string | null>; defect: ArrayLike<string | null> },
): DefectScores {
  if (flags.sampleId.length !== flags.flagged.length)
    throw new RangeError("defectScores: flags.sampleId and flags.flagged differ in length");
  if (truth.sampleId.length !== truth.defect.length) throw new RangeError("defectScores: truth.sampleId and truth.defect differ in length");
  const flagged = new Set<string>();
  const known = new Set<string>();
  for (let i = 0; i < flags.sampleId.length; i++) {
    const id = flags.sampleId[i];
    if (id == null) continue;
    known.add(id);
    if (flags.flagged[i]) flagged.add(id);
  }
  const defectOf = new Map<string, string>();
  for (let i = 0; i < truth.sampleId.length; i++) {
    const id = truth.sampleId[i];
    const d = truth.defect[i];
    if (id != null && d != null && d !== "" && !defectOf.has(id)) defectOf.set(id, d);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const byDefect: DefectScores["byDefect"] = {};
  for (const [id, d] of defectOf) {
    if (!known.has(id)) continue; // truth rows without a QC row are not scored
    const e = (byDefect[d] ??= { total: 0, found: 0, recall: 0 });
    e.total++;
    if (flagged.has(id)) {
      tp++;
      e.found++;
    } else fn++;
  }
  for (const id of flagged) if (!defectOf.has(id)) fp++;
  for (const e of Object.values(byDefect)) e.recall = e.total ? e.found / e.total : 1;
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp + fn ? tp / (tp + fn) : 1,
    byDefect,
  };
}
