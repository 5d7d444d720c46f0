/**
 * Time and peak memory of reading an OSSL-layout CSV of the study's size (57,000 rows x
 * 1,701 bands, ~0.9 GB) with the streaming reader the `ingest.ossl` step uses.
 * Run: node --import tsx bench/ingest-ossl.ts [rows=57000] [--gz]
 * The CSV is generated first into a temp dir (not timed) and removed at the end.
 * Target: < 60 s.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { osslHeader } from "../src/core/synth/ossl-csv.js";
import { createRng } from "../src/core/random.js";
import { createOsslReader } from "../src/formats/ossl.js";
import { streamFile } from "../src/steps/ingest/read-input.js";

const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 57_000);
const gz = process.argv.includes("--gz");

/** Writes "d.dddddd" straight into bytes: the generator must not be the bottleneck. */
function* csvBytes(n: number): Generator<Buffer> {
  const rng = createRng(5);
  const header = Buffer.from(osslHeader(2).join(",") + "\n");
  yield header;
  const p = 1701;
  const buf = Buffer.alloc(200 + p * 10);
  for (let i = 0; i < n; i++) {
    const oc = Math.exp(rng.normal(0.2, 0.9));
    const top = rng.int(150);
    let o = buf.write(
      `"${i.toString(16).padStart(8, "0")}-l","KSSL.SSL",${(rng.next() * 50).toFixed(5)},${(rng.next() * -100).toFixed(5)},${top},${top + 10},${oc.toFixed(3)},${(oc * 1.1).toFixed(3)}`,
      0,
      "latin1",
    );
    const base = 0.5 + rng.next(); // keeps every value in (0, 10) for the digit writer
    for (let j = 0; j < p; j++) {
      const v = Math.round((base + 0.4 * Math.sin(j / 90) + 0.001 * rng.next()) * 1e6);
      buf[o++] = 44;
      buf[o++] = 48 + Math.floor(v / 1e6);
      buf[o++] = 46;
      let f = v % 1e6;
      for (let d = 100000; d >= 1; d /= 10) {
        const q = Math.floor(f / d);
        buf[o++] = 48 + q;
        f -= q * d;
      }
    }
    buf[o++] = 10;
    yield Buffer.from(buf.subarray(0, o));
  }
}

const dir = await mkdtemp(join(tmpdir(), "somflow-bench-ossl-"));
const file = join(dir, gz ? "ossl.csv.gz" : "ossl.csv");
try {
  const tg = performance.now();
  const source = Readable.from(csvBytes(rows));
  if (gz) await pipeline(source, createGzip({ level: 1 }), createWriteStream(file));
  else await pipeline(source, createWriteStream(file));
  const size = (await stat(file)).size;
  console.log(
    `generated ${rows} rows x 1701 bands: ${(size / 1e6).toFixed(0)} MB in ${((performance.now() - tg) / 1000).toFixed(1)} s (not timed)`,
  );
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const reader = createOsslReader(file);
  await streamFile(file, reader.push);
  const r = reader.finish();
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `ingest.ossl ${gz ? "(gzip) " : ""}${r.report.rows} rows x ${r.report.bands} bands: ${s.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (${(size / 1e6 / s).toFixed(0)} MB/s), peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (before reading ${rssBefore.toFixed(0)} MB)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
