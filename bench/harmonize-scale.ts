/**
 * Scale check: PCA (blocked XᵀX covariance + 850 x 850 eigen-decomposition), projection
 * (T²/Q), robust outlier PCA and coral alignment at 57,000 spectra x 851 points.
 * Target: < 2 min and < 4 GB. Run: node --import tsx bench/harmonize-scale.ts [rows] [cols]
 */
import { createRng } from "../src/core/random.js";
import { matrixPca, pcaProject } from "../src/core/chemometrics/matrix-pca.js";
import { robustPcaOutliers } from "../src/core/chemometrics/robust-pca-outliers.js";
import { pcaAlign } from "../src/core/chemometrics/pca-align.js";

const n = Number(process.argv[2] ?? 57_000);
const p = Number(process.argv[3] ?? 851);
const rank = 12;
let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const timer = setInterval(sample, 200);

const rng = createRng(1);
const basis = Float64Array.from({ length: rank * p }, () => rng.normal());
const x = new Float32Array(n * p);
const z = new Float64Array(rank);
for (let i = 0; i < n; i++) {
  for (let c = 0; c < rank; c++) z[c] = rng.normal(0, 3 / (c + 1));
  const shift = i >= n - Math.min(20_000, Math.floor(n / 3)) ? 0.3 : 0; // the last 20k rows: a second "instrument"
  for (let j = 0; j < p; j++) {
    let v = shift + 0.001 * rng.normal();
    for (let c = 0; c < rank; c++) v += z[c]! * basis[c * p + j]!;
    x[i * p + j] = v;
  }
}
const time = async <T>(label: string, f: () => T): Promise<T> => {
  const t = performance.now();
  const r = f();
  sample();
  console.log(`| ${label} | ${((performance.now() - t) / 1000).toFixed(1)} s |`);
  return r;
};
console.log(`${n} x ${p} Float32 (${((n * p * 4) / 2 ** 20).toFixed(0)} MiB), Node ${process.version}\n`);
console.log("| stage | time |\n|---|---|");
const total = performance.now();
const model = await time("matrixPca (covariance + EVD), k=10", () => matrixPca(x, { rows: n, cols: p, components: 10 }));
await time("pcaProject (scores, T², Q) all rows", () => pcaProject(x, { rows: n, cols: p }, model));
await time("robustPcaOutliers (3 PCA fits + projections)", () => robustPcaOutliers(x, { rows: n, cols: p, components: 10 }));
const other = Math.min(20_000, Math.floor(n / 3));
const refRows = n - other;
const ref = await time(`reference PCA (${refRows} rows)`, () =>
  matrixPca(x.subarray(0, refRows * p), { rows: refRows, cols: p, components: 10 }),
);
await time(`pcaAlign (coral) of ${other} rows`, () => pcaAlign(x.subarray(refRows * p), { rows: other, cols: p }, ref));
clearInterval(timer);
sample();
console.log(
  `\ntotal ${((performance.now() - total) / 1000).toFixed(1)} s (after data generation); peak RSS ${(peakRss / 2 ** 30).toFixed(2)} GiB`,
);
