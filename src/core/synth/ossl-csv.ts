/**
 * Writes synthetic rows in the OSSL CSV export layout (for tests, benches and demos of
 * `ingest.ossl`): header then one line per sample, yielded in chunks so 57,000 x 1,701
 * values never sit in one string.
 */
import { createRng } from "../random.js";

export interface OsslCsvOptions {
  rows: number;
  seed?: number;
  /** Wavenumbers 600..4000 every `step` (OSSL: 2). */
  step?: number;
  /** Rows per yielded chunk. */
  chunkRows?: number;
  datasets?: string[];
}

export function osslHeader(step = 2): string[] {
  const wn: string[] = [];
  for (let w = 600; w <= 4000; w += step) wn.push(`scan_mir.${w}_abs`);
  return [
    "id.layer_uuid_txt",
    "dataset.code_ascii_txt",
    "latitude.point_wgs84_dd",
    "longitude.point_wgs84_dd",
    "layer.upper.depth_usda_cm",
    "layer.lower.depth_usda_cm",
    "oc_usda.c729_w.pct",
    "c.tot_usda.a622_w.pct",
    ...wn,
  ];
}

export function* osslCsvChunks(o: OsslCsvOptions): Generator<string> {
  const step = o.step ?? 2;
  const rng = createRng(o.seed ?? 7);
  const datasets = o.datasets ?? ["KSSL.SSL", "AFSIS1.SSL", "LUCAS.SSL"];
  const p = Math.floor(3400 / step) + 1;
  let out = osslHeader(step).join(",") + "\n";
  const chunkRows = o.chunkRows ?? 256;
  for (let i = 0; i < o.rows; i++) {
    const oc = Math.exp(rng.normal(0.2, 0.9));
    const top = rng.int(150);
    let line = `"${(i + 1).toString(16).padStart(8, "0")}-layer","${datasets[i % datasets.length]}",${(rng.next() * 120 - 50).toFixed(5)},${(rng.next() * 340 - 170).toFixed(5)},${top},${top + 10},${oc.toFixed(3)},${(oc * 1.1).toFixed(3)}`;
    const base = 0.3 + rng.next();
    for (let j = 0; j < p; j++) line += "," + (base + 0.4 * Math.sin(j / 90) + 0.001 * rng.next()).toFixed(6);
    out += line + "\n";
    if ((i + 1) % chunkRows === 0) {
      yield out;
      out = "";
    }
  }
  if (out) yield out;
}
