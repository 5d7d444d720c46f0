#!/usr/bin/env node
// Summarizes a module's mutation result (mutation/<module>.json, Stryker's incremental file,
// in the mutation-testing-elements schema): score per file and the surviving mutants.
//   node scripts/mutation-summary.mjs stats [--survivors]
import { readFileSync } from "node:fs";

const [name, flag] = process.argv.slice(2);
if (!name) {
  console.error("usage: node scripts/mutation-summary.mjs <module> [--survivors]");
  process.exit(2);
}
const report = JSON.parse(readFileSync(`mutation/${name}.json`, "utf8"));
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);
const total = { detected: 0, undetected: 0, ignored: 0, errors: 0 };
const rows = [];
for (const [file, f] of Object.entries(report.files).sort()) {
  const c = { detected: 0, undetected: 0, ignored: 0, errors: 0 };
  for (const m of f.mutants) {
    if (DETECTED.has(m.status)) c.detected++;
    else if (UNDETECTED.has(m.status)) c.undetected++;
    else if (m.status === "Ignored") c.ignored++;
    else c.errors++;
  }
  for (const k of Object.keys(total)) total[k] += c[k];
  const score = c.detected + c.undetected ? (100 * c.detected) / (c.detected + c.undetected) : NaN;
  rows.push(`| ${file} | ${c.detected} | ${c.undetected} | ${c.ignored} | ${c.errors} | ${score.toFixed(1)} % |`);
  if (flag === "--survivors") {
    const lines = f.source.split("\n");
    for (const m of f.mutants.filter((m) => UNDETECTED.has(m.status))) {
      const l = m.location.start.line;
      console.error(
        `${file}:${l} ${m.status} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? "")} | ${lines[l - 1]?.trim().slice(0, 110)}`,
      );
    }
  }
}
const score = (100 * total.detected) / (total.detected + total.undetected);
console.log("| file | killed (incl. timeout) | survived (incl. no coverage) | ignored (static) | errors | score |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(r);
console.log(`| **${name}** | ${total.detected} | ${total.undetected} | ${total.ignored} | ${total.errors} | **${score.toFixed(1)} %** |`);
