/**
 * Model files in the tfjs artifact layout — `model.json` (topology + weightsManifest) and
 * `weights.bin` (little-endian float32) — through a file-system `tf.io.IOHandler`, since
 * tfjs-node's `file://` handler is absent without tfjs-node. The topology is somflow's own
 * config (the net is a function of a flat weight vector, not a Keras graph), so `loadCnn`
 * reads it, not `tf.loadLayersModel`.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { tf } from "./backend.js";
import { layoutOf, type CnnConfig, type TargetStats } from "../../core/cnn/model.js";
import type { CnnBundle } from "../../core/cnn/predict.js";

export const MODEL_FORMAT = "somflow-cnn/1";

type IOHandler = tf.io.IOHandler;
type ModelArtifacts = tf.io.ModelArtifacts;
type WeightsManifestEntry = tf.io.WeightsManifestEntry;

/** An IOHandler that writes/reads model.json + weights.bin in `dir`. */
export function fileSystemHandler(dir: string): IOHandler & { save: NonNullable<IOHandler["save"]>; load: NonNullable<IOHandler["load"]> } {
  return {
    async save(artifacts: ModelArtifacts) {
      await mkdir(dir, { recursive: true });
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const bytes = Buffer.concat(buffers.map((b) => Buffer.from(b)));
      const manifest = [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }];
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: manifest,
      };
      await writeFile(join(dir, "weights.bin"), bytes);
      await writeFile(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON", weightDataBytes: bytes.byteLength } };
    },
    async load() {
      const json = JSON.parse(await readFile(join(dir, "model.json"), "utf8")) as {
        format?: string;
        generatedBy?: string;
        modelTopology: object;
        weightsManifest: { paths: string[]; weights: WeightsManifestEntry[] }[];
      };
      const specs: WeightsManifestEntry[] = [];
      const parts: Buffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) parts.push(await readFile(join(dir, p)));
      }
      const all = Buffer.concat(parts);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format, generatedBy: json.generatedBy };
    },
  };
}

interface Topology {
  somflow: { config: CnnConfig; stats: TargetStats; inputScale: number; members: number };
}

/** Saves a bundle (all ensemble members, BN state and the input mean) to `dir`. */
export async function saveCnn(dir: string, bundle: CnnBundle): Promise<void> {
  const layout = layoutOf(bundle.config);
  const specs: WeightsManifestEntry[] = [];
  const chunks: Float32Array[] = [];
  const push = (name: string, shape: number[], v: Float32Array) => {
    specs.push({ name, shape, dtype: "float32" });
    chunks.push(v);
  };
  push("input/mean", [bundle.config.inputPoints], bundle.input.mean);
  bundle.members.forEach((m, k) => {
    for (const p of layout.params) push(`m${k}/${p.name}`, p.shape, m.weights.subarray(p.offset, p.offset + p.size));
    for (const s of layout.state) push(`m${k}/state/${s.name}`, s.shape, m.state.subarray(s.offset, s.offset + s.size));
  });
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const flat = new Float32Array(total);
  let o = 0;
  for (const c of chunks) {
    flat.set(c, o);
    o += c.length;
  }
  const topology: Topology = {
    somflow: { config: bundle.config, stats: bundle.stats, inputScale: bundle.input.scale, members: bundle.members.length },
  };
  await fileSystemHandler(dir).save({
    modelTopology: topology as unknown as object,
    weightSpecs: specs,
    weightData: flat.buffer,
    format: MODEL_FORMAT,
    generatedBy: "somflow cnn.train",
  });
}

export async function loadCnn(dir: string): Promise<CnnBundle> {
  const a = await fileSystemHandler(dir).load();
  if (a.format !== MODEL_FORMAT) {
    throw new Error(
      `${join(dir, "model.json")} is not a ${MODEL_FORMAT} model (format ${a.format}): point cnn.predict at a cnn.train model`,
    );
  }
  const top = (a.modelTopology as unknown as Topology).somflow;
  const data = a.weightData as ArrayBuffer;
  const values = new Map<string, Float32Array>();
  let off = 0;
  for (const s of a.weightSpecs ?? []) {
    const size = s.shape.reduce((x, y) => x * y, 1);
    values.set(s.name, new Float32Array(data.slice(off * 4, (off + size) * 4)));
    off += size;
  }
  const need = (name: string) => {
    const v = values.get(name);
    if (!v) throw new Error(`${join(dir, "weights.bin")}: weight "${name}" missing (model files incomplete)`);
    return v;
  };
  const layout = layoutOf(top.config);
  const members = Array.from({ length: top.members }, (_, k) => {
    const weights = new Float32Array(layout.size);
    const state = new Float32Array(layout.stateSize);
    for (const p of layout.params) weights.set(need(`m${k}/${p.name}`), p.offset);
    for (const s of layout.state) state.set(need(`m${k}/state/${s.name}`), s.offset);
    return { weights, state };
  });
  return { config: top.config, stats: top.stats, input: { mean: need("input/mean"), scale: top.inputScale }, members };
}
