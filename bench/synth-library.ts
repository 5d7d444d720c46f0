/**
 * Time and peak memory of the synthetic library at the study's size.
 * Run: node --import tsx bench/synth-library.ts [n=57000] [seed=1]
 * Target: 57,000 samples in < 60 s and < 3 GB peak RSS.
 */
import { generateLibrary } from "../src/core/synth/library.js";

const n = Number(process.argv[2] ?? 57_000);
const seed = Number(process.argv[3] ?? 1);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const lib = generateLibrary({ n, seed });
const s = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const points = lib.blocks.reduce((a, b) => a + b.values.length, 0);
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `synth.library n=${n}: ${s.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${(points / 1e6).toFixed(1)}M spectral values (${(points / n).toFixed(0)} per sample), peak RSS ${peakMb.toFixed(0)} MB`,
);
for (const i of lib.instruments) console.log(`  ${i.source.padEnd(14)} ${String(i.samples).padStart(6)} x ${i.points} ${i.unit}`);
