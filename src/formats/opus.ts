/**
 * Bruker OPUS binary files (little-endian), read far enough to get the absorbance spectrum.
 * Layout: a 24-byte header (magic 0x0a0afefe, version float64, directory offset int32,
 * max entries int32, entry count int32); the directory holds 12-byte entries (block type
 * as 4 bytes, length in 4-byte words, offset in bytes). Block type byte 0 says what the
 * block is: 15 = absorbance (AB) data, 31 = AB data parameters (FXV/LXV/NPT/DPF/CSF...),
 * 7/11 = sample/reference single channel, 23/27 their parameters, 0 = text/info blocks,
 * 32/40/48/... instrument, acquisition, optics, 160 = sample parameters.
 * Parameter blocks are records: 3-char name + NUL, int16 type (0 int32, 1 float64,
 * 2-4 text), int16 size in 2-byte words, then the value; "END" closes the block.
 */
import { FormatError } from "./errors.js";

export const OPUS_MAGIC = 0xfefe0a0a;

export interface OpusDirectoryEntry {
  /** The 4 type bytes: [data type, channel type, text/type flags, spare]. */
  type: [number, number, number, number];
  name: string;
  /** Bytes. */
  length: number;
  offset: number;
}

export type OpusParams = Record<string, string | number>;

export interface OpusSpectrum {
  file: string;
  /** From FXV to LXV in NPT equal steps, as stored (OPUS writes them high to low). */
  wavenumbers: Float64Array;
  /** Absorbance (AB block x CSF). */
  values: Float32Array;
  /** AB data parameters merged with sample/instrument parameters (SNM, INS, DAT, TIM...). */
  params: OpusParams;
  directory: OpusDirectoryEntry[];
}

const NAMES: Record<number, string> = {
  7: "ScSm", 11: "ScRf", 15: "AB", 23: "ScSm params", 27: "ScRf params", 31: "AB params",
  32: "instrument", 40: "instrument (Rf)", 48: "acquisition", 56: "acquisition (Rf)",
  64: "FT", 72: "FT (Rf)", 96: "optics", 104: "optics (Rf)", 160: "sample", 176: "lab/process",
};

function blockName(t: readonly number[]): string {
  if (t[0] === 0) return t[1] === 52 ? "directory" : `text ${t[2]}`;
  if (t[0] === 7 || t[0] === 11) return `${NAMES[t[0]]}${t[1] === 8 ? " interferogram" : t[1] === 12 ? " phase" : ""}`;
  return NAMES[t[0]!] ?? `block ${t.join(".")}`;
}

export function readOpusDirectory(file: string, bytes: Uint8Array): OpusDirectoryEntry[] {
  if (bytes.length < 24) {
    throw new FormatError(file, `${bytes.length} bytes is too short for an OPUS file (header alone is 24); the file is truncated or not OPUS`);
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
    throw new FormatError(file, `OPUS directory (offset ${dirOffset}, ${count} entries) does not fit the ${bytes.length}-byte file; the file is truncated or corrupt`);
  }
  const entries: OpusDirectoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = dirOffset + 12 * i;
    const type: [number, number, number, number] = [bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!];
    const length = dv.getInt32(o + 4, true) * 4;
    const offset = dv.getInt32(o + 8, true);
    if (offset <= 0 && length <= 0) continue; // unused slot
    entries.push({ type, name: blockName(type), length, offset });
  }
  return entries;
}

export function readOpusParams(file: string, bytes: Uint8Array, entry: OpusDirectoryEntry): OpusParams {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const params: OpusParams = {};
  const end = Math.min(entry.offset + entry.length, bytes.length);
  let p = entry.offset;
  while (p + 8 <= end) {
    const name = String.fromCharCode(bytes[p]!, bytes[p + 1]!, bytes[p + 2]!);
    if (name === "END") break;
    const type = dv.getUint16(p + 4, true);
    const size = dv.getUint16(p + 6, true) * 2;
    const v = p + 8;
    if (v + size > bytes.length) {
      throw new FormatError(file, `parameter ${name} of the ${entry.name} block runs past the end of the file (offset ${v}); the file is truncated`);
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

export function parseOpus(file: string, bytes: Uint8Array): OpusSpectrum {
  const directory = readOpusDirectory(file, bytes);
  for (const e of directory) {
    if (e.offset + e.length > bytes.length) {
      throw new FormatError(file, `${e.name} block (offset ${e.offset}, ${e.length} bytes) ends past the end of the ${bytes.length}-byte file; the file is truncated (re-copy it from the instrument)`);
    }
  }
  // The AB data block and its parameter block share channel and flag bytes (15.16.0 / 31.16.0);
  // other AB-typed blocks (non-zero flag byte) are derived copies OPUS keeps alongside.
  const ab = directory.find((e) => e.type[0] === 15 && e.type[2] === 0);
  const abp = ab && directory.find((e) => e.type[0] === 31 && e.type[1] === ab.type[1] && e.type[2] === ab.type[2]);
  if (!ab || !abp) {
    throw new FormatError(
      file,
      `no absorbance (AB) ${ab ? "parameter " : ""}block; blocks present: ${[...new Set(directory.map((e) => e.name))].join(", ")}. Save the spectrum with its AB block in OPUS`,
    );
  }
  const p = readOpusParams(file, bytes, abp);
  const npt = p.NPT;
  const fxv = p.FXV;
  const lxv = p.LXV;
  if (typeof npt !== "number" || typeof fxv !== "number" || typeof lxv !== "number" || npt < 2 || fxv === lxv) {
    throw new FormatError(file, `AB parameter block lacks valid NPT/FXV/LXV (got ${npt}, ${fxv}, ${lxv})`);
  }
  const dpf = typeof p.DPF === "number" ? p.DPF : 1;
  const csf = typeof p.CSF === "number" && p.CSF !== 0 ? p.CSF : 1;
  if (npt * 4 > ab.length) {
    throw new FormatError(file, `AB block holds ${ab.length / 4} values but NPT says ${npt}; the file is corrupt`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(npt);
  for (let i = 0; i < npt; i++) {
    const o = ab.offset + 4 * i;
    values[i] = (dpf === 2 ? dv.getInt32(o, true) : dv.getFloat32(o, true)) * csf;
  }
  const wavenumbers = new Float64Array(npt);
  const step = (lxv - fxv) / (npt - 1);
  for (let i = 0; i < npt; i++) wavenumbers[i] = fxv + i * step;
  const params: OpusParams = {};
  for (const e of directory) {
    if (e.type[0] === 160 || e.type[0] === 32 || e.type[0] === 48) Object.assign(params, readOpusParams(file, bytes, e));
  }
  Object.assign(params, p);
  return { file, wavenumbers, values, params, directory };
}
