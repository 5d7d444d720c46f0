/**
 * Speed of the PLSR baseline's core (src/core/chemometrics/pls-regression.ts): k-fold CV over
 * 1..A components plus the final fit, on a random low-rank MIR-sized matrix (the size of the
 * figure in the README: 5,000 samples × 851 points, 5 folds, 20 components).
 * Prints wall and CPU seconds of each repeat and the median; on a shared host report CPU s.
 * Run: node --import tsx bench/plsr-speed.ts [n=5000] [p=851] [components=20] [folds=5] [repeats=3]
 */
import { plsRegressionCv } from "../src/core/chemometrics/pls-regression.js";
import { createRng } from "../src/core/random.js";

const [n, p, components, folds, repeats] = [5000, 851, 20, 5, 3].map((d, i) => Number(process.argv[2 + i] ?? d)) as [
  number,
  number,
  number,
  number,
  number,
];
const rng = createRng(11);
const latent = 8;
const load = Float64Array.from({ length: latent * p }, () => rng.normal());
const x = new Float32Array(n * p);
const y = new Float64Array(n);
for (let i = 0; i < n; i++) {
  const t = Float64Array.from({ length: latent }, () => rng.normal());
  for (let j = 0; j < p; j++) {
    let v = 0;
    for (let l = 0; l < latent; l++) v += t[l]! * load[l * p + j]!;
    x[i * p + j] = v + 0.05 * rng.normal();
  }
  y[i] = t[0]! - 0.5 * t[3]! + 0.1 * rng.normal();
}
const wall: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < repeats; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const fit = plsRegressionCv(x, p, y, { maxComponents: components, folds, seed: 1, rule: "min" });
  wall.push((performance.now() - t0) / 1000);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1e6);
  console.log(
    `repeat ${r + 1}: ${wall[r]!.toFixed(2)} s wall, ${cpu[r]!.toFixed(2)} s CPU (chose ${fit.model.components} components, RMSECV ${Math.min(...fit.cv.rmsecv).toFixed(4)})`,
  );
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(
  `plsRegressionCv n=${n} p=${p} folds=${folds} components 1..${components} + final fit: median ${median(wall).toFixed(2)} s wall, ${median(cpu).toFixed(2)} s CPU over ${repeats} repeats (node ${process.version})`,
);
