/**
 * Bruker OPUS binary files (little-endian), read far enough to get the absorbance spectrum.
 * Layout: a 24-byte header (magic 0x0a0afefe, version float64, directory offset int32,
 * max entries int32, entry count int32); the directory holds 12-byte entries (block type
 * as 4 bytes, length in 4-byte words, offset in bytes).
 * The 4 type bytes are [block, channel, text, additional] (as the published readers
 * brukeropusreader and opusreader2 name them):
 * - block: 15 = spectrum data, 31 = its data parameters (FXV/LXV/NPT/DPF/CSF...),
 *   7/11 = sample/reference single channel, 23/27 their parameters, 0 = text/info blocks,
 *   32/40/48/... instrument, acquisition, optics, 160 = sample parameters;
 * - channel (for 15/31): 16 = absorbance (AB), 48 = reflectance;
 * - text: 0 for spectrum data (non-zero = a report stored under the same block code);
 * - additional: 0 = the final spectrum OPUS shows as "AB" (after atmospheric compensation
 *   when that was run), 64 = the spectrum before atmospheric compensation (kept alongside).
 * Parameter blocks are records: 3-char name + NUL, int16 type (0 int32, 1 float64,
 * 2-4 text), int16 size in 2-byte words, then the value; "END" closes the block.
 */
import { FormatError } from "./errors.js";

export const OPUS_MAGIC = 0xfefe0a0a;

/** Wavenumbers outside this range are not MIR/NIR: a corrupt FXV/LXV (cm-1). */
export const OPUS_WAVENUMBER_RANGE: readonly [number, number] = [100, 15000];
/** Largest point count accepted (a Vertex at 0.5 cm-1 over 15000 cm-1 stays below it). */
export const OPUS_MAX_POINTS = 100_000;
/** An AB block may hold a few padding values past NPT (Alpha files hold one), not more. */
export const OPUS_MAX_PADDING = 64;

export interface OpusDirectoryEntry {
  /** The 4 type bytes: [block, channel, text, additional]. */
  type: [number, number, number, number];
  name: string;
  /** Bytes. */
  length: number;
  offset: number;
}

export type OpusParams = Record<string, string | number>;

/**
 * Which spectrum block to read: "AB" = the final absorbance (15.16.0.0; when a file holds
 * only the uncompensated block 15.16.0.64, that is what OPUS shows as AB and is read),
 * "AB_no_atm_comp" = the absorbance before atmospheric compensation (15.16.0.64),
 * or an explicit type code "15.c.0.a".
 */
export type OpusBlockChoice = string;

export interface OpusSpectrum {
  file: string;
  /** From FXV to LXV in NPT equal steps, as stored (OPUS writes them high to low). */
  wavenumbers: Float64Array;
  /** Absorbance (AB block x CSF). */
  values: Float32Array;
  /** AB data parameters merged with sample/instrument parameters (SNM, INS, DAT, TIM...). */
  params: OpusParams;
  directory: OpusDirectoryEntry[];
  /** Type code ("15.16.0.0") of the block read. */
  block: string;
}

const NAMES: Record<number, string> = {
  7: "ScSm",
  11: "ScRf",
  23: "ScSm params",
  27: "ScRf params",
  32: "instrument",
  40: "instrument (Rf)",
  48: "acquisition",
  56: "acquisition (Rf)",
  64: "FT",
  72: "FT (Rf)",
  96: "optics",
  104: "optics (Rf)",
  160: "sample",
  176: "lab/process",
};

export const typeCode = (t: readonly number[]): string => t.join(".");

function blockName(t: readonly number[]): string {
  if (t[0] === 0) return t[1] === 52 ? "directory" : `text ${t[2]}`;
  if (t[0] === 7 || t[0] === 11) return `${NAMES[t[0]]}${t[1] === 8 ? " interferogram" : t[1] === 12 ? " phase" : ""}`;
  if (t[0] === 15 || t[0] === 31) {
    const kind = t[1] === 16 ? "AB" : t[1] === 48 ? "reflectance" : `spectrum channel ${t[1]}`;
    const what = t[2] !== 0 ? ` report ${t[2]}` : t[3] === 64 ? " before atmospheric compensation" : "";
    return `${kind}${what}${t[0] === 31 ? " params" : ""} (${typeCode(t)})`;
  }
  return NAMES[t[0]!] ?? `block ${typeCode(t)}`;
}

export function readOpusDirectory(file: string, bytes: Uint8Array): OpusDirectoryEntry[] {
  if (bytes.length < 24) {
    throw new FormatError(
      file,
      `${bytes.length} bytes is too short for an OPUS file (header alone is 24); the file is truncated or not OPUS`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  if (magic !== OPUS_MAGIC) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new FormatError(file, `not a Bruker OPUS file: starts with ${hex}, expected 0a 0a fe fe`);
  }
  const dirOffset = dv.getInt32(12, true);
  const count = dv.getInt32(20, true);
  if (count <= 0 || count > 4096 || dirOffset < 24 || dirOffset + 12 * count > bytes.length) {
    throw new FormatError(
      file,
      `OPUS directory (offset ${dirOffset}, ${count} entries) does not fit the ${bytes.length}-byte file; the file is truncated or corrupt`,
    );
  }
  const entries: OpusDirectoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = dirOffset + 12 * i;
    const type: [number, number, number, number] = [bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!];
    const words = dv.getInt32(o + 4, true);
    const offset = dv.getInt32(o + 8, true);
    if (offset <= 0 && words <= 0) continue; // unused slot
    const name = blockName(type);
    // Every block must lie inside the file: a flipped bit in an offset or a length would
    // otherwise read another block's bytes (or throw a bare RangeError from DataView).
    if (offset < 24 || words < 0 || offset + words * 4 > bytes.length) {
      throw new FormatError(
        file,
        `directory entry ${i} (${name}): offset ${offset}, ${words * 4} bytes lies outside the ${bytes.length}-byte file; the file is truncated or corrupt (re-copy it from the instrument)`,
      );
    }
    entries.push({ type, name, length: words * 4, offset });
  }
  return entries;
}

export function readOpusParams(file: string, bytes: Uint8Array, entry: OpusDirectoryEntry): OpusParams {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // No prototype: a parameter named "__proto__" or "constructor" is just a key.
  const params: OpusParams = Object.create(null) as OpusParams;
  const end = Math.min(entry.offset + entry.length, bytes.length);
  let p = entry.offset;
  while (p + 8 <= end) {
    const name = String.fromCharCode(bytes[p]!, bytes[p + 1]!, bytes[p + 2]!);
    if (name === "END") break;
    const type = dv.getUint16(p + 4, true);
    const size = dv.getUint16(p + 6, true) * 2;
    const v = p + 8;
    if (v + size > end) {
      throw new FormatError(
        file,
        `parameter ${name} of the ${entry.name} block runs past the end of the block (offset ${v}); the file is truncated or corrupt`,
      );
    }
    if (type === 0 && size >= 4) params[name] = dv.getInt32(v, true);
    else if (type === 1 && size >= 8) params[name] = dv.getFloat64(v, true);
    else {
      let s = "";
      for (let i = v; i < v + size && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]!);
      params[name] = s;
    }
    p = v + size;
  }
  return params;
}

/** The spectrum data blocks of a directory (block 15, text type 0), as type codes. */
export function opusSpectrumBlocks(directory: readonly OpusDirectoryEntry[]): string[] {
  return directory.filter((e) => e.type[0] === 15 && e.type[2] === 0).map((e) => typeCode(e.type));
}

/** The data block `choice` names, or null. */
function pickBlock(directory: readonly OpusDirectoryEntry[], choice: OpusBlockChoice): OpusDirectoryEntry | null {
  const data = directory.filter((e) => e.type[0] === 15 && e.type[2] === 0);
  const byCode = (code: string) => data.find((e) => typeCode(e.type) === code) ?? null;
  if (choice === "AB") return byCode("15.16.0.0") ?? byCode("15.16.0.64");
  if (choice === "AB_no_atm_comp") return byCode("15.16.0.64");
  return byCode(choice);
}

export interface ParseOpusOptions {
  /** Which spectrum block to read (default "AB": the final absorbance). */
  block?: OpusBlockChoice;
}

export function parseOpus(file: string, bytes: Uint8Array, options: ParseOpusOptions = {}): OpusSpectrum {
  const choice = options.block ?? "AB";
  const directory = readOpusDirectory(file, bytes);
  const ab = pickBlock(directory, choice);
  const abp =
    ab && directory.find((e) => e.type[0] === 31 && e.type[1] === ab.type[1] && e.type[2] === ab.type[2] && e.type[3] === ab.type[3]);
  if (!ab || !abp) {
    const spectra = opusSpectrumBlocks(directory);
    throw new FormatError(
      file,
      `no ${choice === "AB" ? "absorbance (AB)" : `"${choice}"`} ${ab ? "parameter " : ""}block; spectrum blocks present: ${spectra.join(", ") || "none"} (all blocks: ${[...new Set(directory.map((e) => e.name))].join(", ")}). ${choice === "AB" ? "Save the spectrum with its AB block in OPUS" : 'Set option block to "AB", "AB_no_atm_comp" or one of the codes present'}`,
    );
  }
  const code = typeCode(ab.type);
  const p = readOpusParams(file, bytes, abp);
  const npt = p.NPT;
  const fxv = p.FXV;
  const lxv = p.LXV;
  if (typeof npt !== "number" || typeof fxv !== "number" || typeof lxv !== "number") {
    throw new FormatError(
      file,
      `the ${code} parameter block lacks numeric NPT/FXV/LXV (got ${[npt, fxv, lxv].map((v) => (v === undefined ? "missing" : JSON.stringify(v))).join(", ")}); the file is corrupt`,
    );
  }
  checkAxis(file, code, npt, fxv, lxv);
  const dpf = typeof p.DPF === "number" ? p.DPF : 1;
  if (dpf !== 1 && dpf !== 2)
    throw new FormatError(
      file,
      `the ${code} block has data point format DPF ${dpf}; only 1 (float32) and 2 (int32) exist: the file is corrupt (re-copy it from the instrument)`,
    );
  const csf = typeof p.CSF === "number" && p.CSF !== 0 ? p.CSF : 1;
  if (!Number.isFinite(csf)) throw new FormatError(file, `the ${code} block has scaling factor CSF ${csf}; the file is corrupt`);
  const held = ab.length / 4;
  if (npt > held || held - npt > OPUS_MAX_PADDING + npt * 0.01) {
    throw new FormatError(
      file,
      `the ${code} block holds ${held} values but NPT says ${npt}; the file is corrupt (re-copy it from the instrument)`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(npt);
  for (let i = 0; i < npt; i++) {
    const o = ab.offset + 4 * i;
    const v = (dpf === 2 ? dv.getInt32(o, true) : dv.getFloat32(o, true)) * csf;
    // fround: a corrupt CSF can scale a float32 past its range (Infinity once stored)
    if (!Number.isFinite(Math.fround(v))) {
      throw new FormatError(
        file,
        `the ${code} block holds a non-finite value (${Math.fround(v)}${csf !== 1 ? ` after scaling by CSF ${csf}` : ""}) at point ${i + 1} of ${npt}; the file is corrupt`,
      );
    }
    values[i] = v;
  }
  const wavenumbers = new Float64Array(npt);
  const step = (lxv - fxv) / (npt - 1);
  for (let i = 0; i < npt; i++) wavenumbers[i] = fxv + i * step;
  const params: OpusParams = Object.create(null) as OpusParams;
  for (const e of directory) {
    if (e.type[0] === 160 || e.type[0] === 32 || e.type[0] === 48) Object.assign(params, readOpusParams(file, bytes, e));
  }
  Object.assign(params, p);
  return { file, wavenumbers, values, params, directory, block: code };
}

/** FXV/LXV/NPT of a spectrum block must describe a physical MIR/NIR axis. */
function checkAxis(file: string, code: string, npt: number, fxv: number, lxv: number): void {
  const [lo, hi] = OPUS_WAVENUMBER_RANGE;
  if (!Number.isInteger(npt) || npt < 2 || npt > OPUS_MAX_POINTS) {
    throw new FormatError(
      file,
      `the ${code} block has NPT ${npt} points; expected 2-${OPUS_MAX_POINTS}. The file is corrupt (re-copy it from the instrument)`,
    );
  }
  for (const [k, v] of [
    ["FXV", fxv],
    ["LXV", lxv],
  ] as const) {
    if (!Number.isFinite(v) || v < lo || v > hi) {
      throw new FormatError(
        file,
        `the ${code} block has ${k} ${v} cm-1, outside the MIR/NIR range ${lo}-${hi} cm-1; the file is corrupt (re-copy it from the instrument) or not a wavenumber axis`,
      );
    }
  }
  const step = Math.abs(lxv - fxv) / (npt - 1);
  if (!(step >= 0.01 && step <= 100)) {
    throw new FormatError(
      file,
      `the ${code} block's axis (FXV ${fxv}, LXV ${lxv}, NPT ${npt}) gives a ${step} cm-1 step; expected 0.01-100 cm-1. The file is corrupt`,
    );
  }
}
