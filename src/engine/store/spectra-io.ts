/**
 * Spectra on disk: a folder per output with `index.json` (per-block metadata and ids) and
 * one raw little-endian Float32 file per block — read back with one `readFile`, no parsing.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { blockShape, type SpectraBlock, type SpectralUnit } from "../../contracts/spectra.js";

interface BlockIndex {
  source: string;
  instrument: string;
  unit: SpectralUnit;
  wavenumbers: number[];
  ids: string[];
  file: string;
}

export async function writeSpectra(dir: string, blocks: readonly SpectraBlock[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const index: BlockIndex[] = [];
  for (const [i, b] of blocks.entries()) {
    blockShape(b); // throws on inconsistent shapes before anything is written
    const file = `block-${i}.f32`;
    await writeFile(join(dir, file), new Uint8Array(b.values.buffer, b.values.byteOffset, b.values.byteLength));
    index.push({
      source: b.source,
      instrument: b.instrument,
      unit: b.unit,
      wavenumbers: Array.from(b.wavenumbers),
      ids: [...b.ids],
      file,
    });
  }
  await writeFile(join(dir, "index.json"), JSON.stringify(index));
}

export async function readSpectra(dir: string): Promise<SpectraBlock[]> {
  const index = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as BlockIndex[];
  const blocks: SpectraBlock[] = [];
  for (const e of index) {
    const bytes = await readFile(join(dir, e.file));
    // Copy into an aligned buffer: Buffer slices may not be 4-byte aligned.
    const values = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(values.buffer).set(bytes);
    const block: SpectraBlock = {
      source: e.source,
      instrument: e.instrument,
      unit: e.unit,
      wavenumbers: Float64Array.from(e.wavenumbers),
      ids: e.ids,
      values,
    };
    blockShape(block);
    blocks.push(block);
  }
  return blocks;
}
