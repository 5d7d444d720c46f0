/**
 * A small writer of synthetic Bruker OPUS files for tests (the layout parseOpus documents):
 * header, directory, parameter blocks (int32 / float64 / text records closed by END) and
 * float32 data blocks. Lets tests build files real instruments write but the fixtures lack
 * (two AB blocks, other axes, corrupt offsets) without shipping binary data.
 */
export type OpusParamValue = number | string | { int: number };

export interface OpusBlockSpec {
  type: [number, number, number, number];
  /** A data block (float32 values)... */
  data?: Float32Array;
  /** ...or a parameter block (integers as { int }, plain numbers as float64, strings as text). */
  params?: Record<string, OpusParamValue>;
  /** Override the length (in 4-byte words) or offset written in the directory. */
  words?: number;
  offset?: number;
}

function paramBytes(params: Record<string, OpusParamValue>): Uint8Array {
  const parts: Uint8Array[] = [];
  const rec = (name: string, type: number, payload: Uint8Array) => {
    const h = new Uint8Array(8);
    for (let i = 0; i < 3; i++) h[i] = name.charCodeAt(i);
    const dv = new DataView(h.buffer);
    dv.setUint16(4, type, true);
    dv.setUint16(6, payload.length / 2, true);
    parts.push(h, payload);
  };
  for (const [name, v] of Object.entries(params)) {
    if (typeof v === "object") {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v.int, true);
      rec(name, 0, b);
    } else if (typeof v === "number") {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, true);
      rec(name, 1, b);
    } else {
      const len = (v.length + 2) & ~1; // NUL-terminated, even length
      const b = new Uint8Array(len);
      for (let i = 0; i < v.length; i++) b[i] = v.charCodeAt(i);
      rec(name, 2, b);
    }
  }
  const end = new Uint8Array(8);
  end.set([69, 78, 68]); // "END"
  parts.push(end);
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function writeOpus(blocks: readonly OpusBlockSpec[]): Uint8Array {
  const bodies = blocks.map((b) => {
    const raw = b.data ? new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength) : paramBytes(b.params ?? {});
    const padded = new Uint8Array(Math.ceil(raw.length / 4) * 4);
    padded.set(raw);
    return padded;
  });
  const dirOffset = 24;
  const dirBytes = 12 * (blocks.length + 1);
  let pos = dirOffset + dirBytes;
  const offsets = bodies.map((b) => {
    const o = pos;
    pos += b.length;
    return o;
  });
  const out = new Uint8Array(pos);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xfefe0a0a, true);
  dv.setFloat64(4, 920622, true);
  dv.setInt32(12, dirOffset, true);
  dv.setInt32(16, blocks.length + 1, true);
  dv.setInt32(20, blocks.length + 1, true);
  // entry 0: the directory itself
  out.set([0, 52, 0, 0], dirOffset);
  dv.setInt32(dirOffset + 4, dirBytes / 4, true);
  dv.setInt32(dirOffset + 8, dirOffset, true);
  blocks.forEach((b, i) => {
    const e = dirOffset + 12 * (i + 1);
    out.set(b.type, e);
    dv.setInt32(e + 4, b.words ?? bodies[i]!.length / 4, true);
    dv.setInt32(e + 8, b.offset ?? offsets[i]!, true);
    out.set(bodies[i]!, offsets[i]!);
  });
  return out;
}

export interface SimpleSpectrum {
  fxv: number;
  lxv: number;
  values: ArrayLike<number>;
  /** The additional-type byte of the AB block: 0 final, 64 before atmospheric compensation. */
  additional?: number;
}

/** Blocks of one absorbance spectrum (data + its parameter block). */
export function abBlocks(s: SimpleSpectrum): OpusBlockSpec[] {
  const a = s.additional ?? 0;
  return [
    { type: [15, 16, 0, a], data: Float32Array.from(s.values) },
    { type: [31, 16, 0, a], params: { DPF: { int: 1 }, NPT: { int: s.values.length }, FXV: s.fxv, LXV: s.lxv, CSF: 1 } },
  ];
}

/** A complete file: sample and instrument blocks plus one or more AB blocks. */
export function opusFile(spectra: readonly SimpleSpectrum[], extra: { snm?: string; ins?: string } = {}): Uint8Array {
  return writeOpus([
    { type: [160, 0, 0, 0], params: { SNM: extra.snm ?? "synthetic" } },
    { type: [32, 0, 0, 0], params: { INS: extra.ins ?? "SYNTH" } },
    ...spectra.flatMap(abBlocks),
  ]);
}

/** A smooth synthetic absorbance spectrum on `n` points (values 0.2-1.2, no symmetry). */
export function ramp(n: number, shift = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.2 + i / n + 0.1 * Math.sin(i / 7) + shift);
}
