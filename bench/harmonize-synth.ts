/**
 * Harmonization scored on the synthetic library with known instrument distortions: each
 * source keeps its own soils (as in the demo) and the same latent soils are rendered through
 * every instrument (renderThroughInstruments). Per method: mean Euclidean distance between a
 * source's and the reference's rendering of the same evaluation soils, and the bias of a PLSR
 * trained on the reference source when it predicts those renderings — before vs after.
 * Run: node --import tsx bench/harmonize-synth.ts [n] [seed]
 */
import { scoreHarmonization, syntheticRingTrial } from "../test/steps/harmonize/synthetic-fixture.js";

const n = Number(process.argv[2] ?? 1400);
const seed = Number(process.argv[3] ?? 7);
const methods = (process.env.METHODS ?? "coral,coral-none,sst,pds,epo").split(",");
const t0 = Date.now();
const trial = await syntheticRingTrial({ n, seed });
console.log(
  `library ${n}, shared soils ${trial.transferIds.length} transfer + ${trial.evalIds.length} eval, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
for (const m of methods) {
  const t1 = Date.now();
  const s = await scoreHarmonization(trial, m);
  console.log(
    `\n## ${m} (${((Date.now() - t1) / 1000).toFixed(1)} s)  distance -${(100 * s.distanceReduction).toFixed(1)} %, |bias vs truth| -${(100 * s.biasReduction).toFixed(1)} %, |instrument bias| -${(100 * s.instBiasReduction).toFixed(1)} %`,
  );
  console.log("| source | dist before | dist after | bias before | bias after | inst. bias before | inst. bias after |");
  for (const r of s.rows)
    console.log(
      `| ${r.source} | ${r.distBefore.toFixed(3)} | ${r.distAfter.toFixed(3)} | ${r.biasBefore.toFixed(2)} | ${r.biasAfter.toFixed(2)} | ${r.instBiasBefore.toFixed(2)} | ${r.instBiasAfter.toFixed(2)} |`,
    );
  if (process.env.TABLE)
    console.table(
      Object.fromEntries(
        Object.entries(s.table).map(([k, v]) => [
          k,
          Array.from(v as ArrayLike<unknown>, (x) => (typeof x === "number" ? Number(x.toFixed(3)) : x)),
        ]),
      ),
    );
  console.log(`reference bias on eval soils: ${s.refBiasBefore.toFixed(2)} → ${s.refBiasAfter.toFixed(2)}`);
}
