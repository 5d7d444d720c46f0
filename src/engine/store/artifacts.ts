/**
 * Immutable, content-addressed artifacts. A step writes into a private temp folder; only
 * after `run` resolves is the folder hashed, sealed with `_artifact.json` and renamed into
 * `artifacts/<hash>`. A reader trusts an artifact only if its seal matches the files'
 * sizes: a partial or tampered artifact is a cache miss, never an error that blocks a run.
 */
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import type { SpectraBlock } from "../../core/spectra/block.js";
import type { Table } from "../../core/table.js";
import type { InputArtifact, StepOutputs } from "../step.js";
import type { StoreLayout } from "./layout.js";
import { readSpectra, writeSpectra } from "./spectra-io.js";

export type OutputKind = "table" | "spectra" | "json" | "dir";

export interface ArtifactSeal {
  hash: string;
  step: string;
  type: string;
  outputs: Record<string, OutputKind>;
  /** project-relative file path -> size in bytes */
  files: Record<string, number>;
}

const SEAL = "_artifact.json";

/** DuckDB's native module loads in ~0.3 s: only when a table is really read or written (not on a no-op rerun). */
const duck = () => import("./duck.js");
const OUTPUT_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function fileOf(name: string, kind: OutputKind): string {
  switch (kind) {
    case "table":
      return `${name}.parquet`;
    case "spectra":
      return `${name}.spectra`;
    case "json":
      return `${name}.json`;
    case "dir":
      return name;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

async function hashFile(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export class ArtifactWriter {
  readonly outputs: StepOutputs;
  private readonly kinds: Record<string, OutputKind> = {};

  private constructor(readonly folder: string) {
    const claim = (name: string, kind: OutputKind) => {
      if (!OUTPUT_NAME.test(name)) throw new RangeError(`output name "${name}" must match ${OUTPUT_NAME}`);
      if (name in this.kinds) throw new RangeError(`output "${name}" was written twice`);
      this.kinds[name] = kind;
      return join(this.folder, fileOf(name, kind));
    };
    this.outputs = {
      table: async (name: string, table: Table) => (await duck()).writeParquet(table, claim(name, "table")),
      spectra: async (name: string, blocks: readonly SpectraBlock[]) => writeSpectra(claim(name, "spectra"), blocks),
      json: async (name: string, value: unknown) => writeFile(claim(name, "json"), JSON.stringify(value, null, 1)),
      dir: async (name: string) => {
        const d = claim(name, "dir");
        await mkdir(d, { recursive: true });
        return d;
      },
    };
  }

  static async create(l: StoreLayout): Promise<ArtifactWriter> {
    return new ArtifactWriter(await mkdtemp(join(l.tmp, `${process.pid}-`)));
  }

  /** Hashes the files, seals and moves the folder into place; returns the content hash. */
  async commit(l: StoreLayout, step: string, type: string): Promise<string> {
    const files = await listFiles(this.folder);
    const h = createHash("sha256");
    const sizes: Record<string, number> = {};
    for (const f of files) {
      h.update(`${f}\0${await hashFile(join(this.folder, f))}\n`);
      sizes[f] = (await stat(join(this.folder, f))).size;
    }
    h.update(JSON.stringify(Object.entries(this.kinds).sort()));
    const hash = h.digest("hex");
    const seal: ArtifactSeal = { hash, step, type, outputs: this.kinds, files: sizes };
    await writeFile(join(this.folder, SEAL), JSON.stringify(seal, null, 1));
    const target = l.artifact(hash);
    if (await validSeal(target)) {
      await this.discard(); // same content already stored (another run or an earlier one): first writer wins
      return hash;
    }
    await rm(target, { recursive: true, force: true }); // a corrupt leftover under this hash
    try {
      await rename(this.folder, target);
    } catch (e) {
      if (!(await validSeal(target))) throw e;
      await this.discard();
    }
    return hash;
  }

  async discard(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}

/** The seal if the artifact folder is complete (every sealed file present with its size). */
export async function validSeal(dir: string): Promise<ArtifactSeal | null> {
  try {
    const seal = JSON.parse(await readFile(join(dir, SEAL), "utf8")) as ArtifactSeal;
    for (const [f, size] of Object.entries(seal.files)) {
      if ((await stat(join(dir, f))).size !== size) return null;
    }
    return seal;
  } catch {
    return null;
  }
}

export class StoredArtifact implements InputArtifact {
  constructor(
    readonly step: string,
    readonly type: string,
    readonly hash: string,
    private readonly folder: string,
    private readonly seal: ArtifactSeal,
  ) {}

  static async open(l: StoreLayout, hash: string, step: string): Promise<StoredArtifact | null> {
    const dir = l.artifact(hash);
    const seal = await validSeal(dir);
    return seal ? new StoredArtifact(step, seal.type, hash, dir, seal) : null;
  }

  get outputNames(): Record<string, OutputKind> {
    return this.seal.outputs;
  }

  has(name: string): boolean {
    return name in this.seal.outputs;
  }

  private path(name: string, kind: OutputKind): string {
    const actual = this.seal.outputs[name];
    if (actual !== kind) {
      const have = Object.entries(this.seal.outputs).map(([n, k]) => `${n} (${k})`).join(", ");
      throw new Error(`step "${this.step}" has no ${kind} output "${name}"; it has: ${have || "nothing"}`);
    }
    return join(this.folder, fileOf(name, kind));
  }

  async table(name: string, columns?: readonly string[]): Promise<Table> {
    return (await duck()).readParquet(this.path(name, "table"), columns);
  }

  spectra(name: string): Promise<SpectraBlock[]> {
    return readSpectra(this.path(name, "spectra"));
  }

  async json<T>(name: string): Promise<T> {
    return JSON.parse(await readFile(this.path(name, "json"), "utf8")) as T;
  }

  dir(name: string): string {
    return this.path(name, "dir");
  }

  tablePath(name: string): string {
    return this.path(name, "table");
  }
}
