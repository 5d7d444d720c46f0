/**
 * Immutable, content-addressed artifacts. A step writes into a private temp folder; only
 * after `run` resolves is the folder hashed, sealed with `_artifact.json` and renamed into
 * `artifacts/<hash>`. The seal records each file's size and sha256; the folder name is the
 * sha256 over the files' hashes. Resolving a cache hit checks sizes only (a no-op rerun
 * reads no artifact content); `verifyArtifact` checks content, before a cached artifact
 * is read by a step that runs and in `somflow verify`. A partial or tampered artifact is a
 * cache miss, never an error that blocks a run.
 */
import { readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import type { SpectraBlock } from "../../contracts/spectra.js";
import type { Table } from "../../core/table.js";
import { hashFileContent } from "../file-hash.js";
import { StoreError } from "../errors.js";
import type { InputArtifact, StepOutputs } from "../step.js";
import type { StoreLayout } from "./layout.js";
import { referenceInLeases } from "./leases.js";
import { ownerTag } from "./owner.js";
import { readSpectra, writeSpectra } from "./spectra-io.js";

export type OutputKind = "table" | "spectra" | "json" | "dir";

export interface ArtifactSeal {
  hash: string;
  step: string;
  type: string;
  outputs: Record<string, OutputKind>;
  /** artifact-relative file path -> size in bytes */
  files: Record<string, number>;
  /**
   * artifact-relative file path -> sha256 of its content. Absent in seals written before
   * content hashes were recorded: those are verified through the folder name alone.
   */
  sha256?: Record<string, string>;
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

/** The artifact hash: sha256 over every file's name and content hash, then the output kinds. */
export function artifactHash(fileHashes: Record<string, string>, outputs: Record<string, OutputKind>): string {
  const h = createHash("sha256");
  for (const f of Object.keys(fileHashes).sort()) h.update(`${f}\0${fileHashes[f]}\n`);
  h.update(JSON.stringify(Object.entries(outputs).sort()));
  return h.digest("hex");
}

/** Errors that mean the store's filesystem refuses writes (full, over quota, read-only), from Node or DuckDB. */
const STORE_FULL = /ENOSPC|EDQUOT|EROFS|No space left on device|Disk quota exceeded|Read-only file system/i;

/** A full or read-only store named with the folder and what to do, instead of a bare errno (the temp folder is then discarded). */
function rethrowStoreFull(e: unknown, folder: string, what: string): never {
  const text = e instanceof Error ? e.message : String(e);
  if (!STORE_FULL.test(`${(e as NodeJS.ErrnoException)?.code ?? ""} ${text}`)) throw e;
  const why = /EROFS|Read-only/i.test(text) ? "the filesystem is read-only" : "no space left on the store's filesystem (or quota exceeded)";
  throw new StoreError(
    `cannot write ${what} into ${folder}: ${why} (${text.split("\n")[0]}); nothing of this step was kept. ` +
      `Free space (somflow gc removes old runs' artifacts) or pass --store DIR on a larger filesystem, then run again`,
  );
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
    const guard = <T>(name: string, write: () => Promise<T>): Promise<T> =>
      write().catch((e: unknown) => rethrowStoreFull(e, this.folder, `output "${name}"`));
    this.outputs = {
      table: (name: string, table: Table) => guard(name, async () => (await duck()).writeParquet(table, claim(name, "table"))),
      spectra: (name: string, blocks: readonly SpectraBlock[]) => guard(name, () => writeSpectra(claim(name, "spectra"), blocks)),
      json: (name: string, value: unknown) => guard(name, () => writeFile(claim(name, "json"), JSON.stringify(value, null, 1))),
      dir: (name: string) =>
        guard(name, async () => {
          const d = claim(name, "dir");
          await mkdir(d, { recursive: true });
          return d;
        }),
    };
  }

  /** A private temp folder named by host, pid and job (see ownerTag), so gc can judge it on any host. */
  static async create(l: StoreLayout): Promise<ArtifactWriter> {
    return new ArtifactWriter(await mkdtemp(join(l.tmp, `${ownerTag()}_`)));
  }

  /**
   * Hashes the files, seals and moves the folder into place; returns the content hash.
   * `beforePublish(hash)` runs before the folder becomes visible (the run's lease records it,
   * so gc cannot collect an artifact between its commit and the run's use of it).
   */
  async commit(l: StoreLayout, step: string, type: string, beforePublish?: (hash: string) => Promise<void>): Promise<string> {
    try {
      return await this.commitFolder(l, step, type, beforePublish);
    } catch (e) {
      await this.discard();
      return rethrowStoreFull(e, this.folder, `the seal of step ${step}`);
    }
  }

  private async commitFolder(l: StoreLayout, step: string, type: string, beforePublish?: (hash: string) => Promise<void>): Promise<string> {
    const files = await listFiles(this.folder);
    const sizes: Record<string, number> = {};
    const sums: Record<string, string> = {};
    for (const f of files) {
      sums[f] = await hashFileContent(join(this.folder, f));
      sizes[f] = (await stat(join(this.folder, f))).size;
    }
    const hash = artifactHash(sums, this.kinds);
    const seal: ArtifactSeal = { hash, step, type, outputs: this.kinds, files: sizes, sha256: sums };
    await writeFile(join(this.folder, SEAL), JSON.stringify(seal, null, 1));
    await referenceInLeases(l, hash);
    await beforePublish?.(hash);
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
  // Synchronous like the store's small records (records.ts): a cache hit is a handful of tiny reads.
  try {
    const seal = JSON.parse(readFileSync(join(dir, SEAL), "utf8")) as ArtifactSeal;
    for (const [f, size] of Object.entries(seal.files)) {
      if (statSync(join(dir, f)).size !== size) return null;
    }
    return seal;
  } catch {
    return null;
  }
}

export type Verdict = { ok: true; legacy: boolean } | { ok: false; problem: string; files: string[] };

/**
 * Reads every file of an artifact and checks it against the seal: each file's sha256 (when
 * the seal has them), no missing or extra file, and the folder name equal to the hash of the
 * content. Seals from before content hashes (`legacy`) are checked through the folder name
 * alone, which proves the same thing without naming the bad file.
 */
export async function verifyArtifact(dir: string, hash: string): Promise<Verdict> {
  let seal: ArtifactSeal;
  try {
    seal = JSON.parse(await readFile(join(dir, SEAL), "utf8")) as ArtifactSeal;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problem: code === "ENOENT" ? `its seal ${SEAL} is missing` : `its seal ${SEAL} is unreadable (${code ?? (e as Error).message})`,
      files: [SEAL],
    };
  }
  if (!seal || typeof seal.files !== "object" || typeof seal.outputs !== "object") {
    return { ok: false, problem: `its seal ${SEAL} is not a seal`, files: [SEAL] };
  }
  let present: string[];
  try {
    present = (await listFiles(dir)).filter((f) => f !== SEAL);
  } catch (e) {
    return { ok: false, problem: `its folder cannot be listed (${(e as NodeJS.ErrnoException).code})`, files: [] };
  }
  const sealed = Object.keys(seal.files).sort();
  const missing = sealed.filter((f) => !present.includes(f));
  if (missing.length) return { ok: false, problem: `sealed files are missing: ${missing.join(", ")}`, files: missing };
  const extra = present.filter((f) => !(f in seal.files));
  if (extra.length) return { ok: false, problem: `files not in its seal: ${extra.join(", ")}`, files: extra };
  const sums: Record<string, string> = {};
  const changed: string[] = [];
  for (const f of sealed) {
    const p = join(dir, f);
    if ((await stat(p)).size !== seal.files[f]) changed.push(f);
    sums[f] = await hashFileContent(p);
    if (seal.sha256 && seal.sha256[f] !== sums[f] && !changed.includes(f)) changed.push(f);
  }
  if (changed.length) return { ok: false, problem: `content differs from its seal: ${changed.join(", ")}`, files: changed };
  if (artifactHash(sums, seal.outputs) !== hash) {
    return { ok: false, problem: "its content does not hash to its name (a file or the seal was changed)", files: [] };
  }
  return { ok: true, legacy: !seal.sha256 };
}

export class StoredArtifact implements InputArtifact {
  constructor(
    readonly step: string,
    readonly type: string,
    readonly hash: string,
    private readonly folder: string,
    private readonly seal: ArtifactSeal,
  ) {}

  /** Opens a sealed artifact (sizes checked, no content read); the live leases of this process reference it first. */
  static async open(l: StoreLayout, hash: string, step: string): Promise<StoredArtifact | null> {
    await referenceInLeases(l, hash);
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
      const have = Object.entries(this.seal.outputs)
        .map(([n, k]) => `${n} (${k})`)
        .join(", ");
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

  /**
   * Checks the files of one output against the seal's content hashes (the whole artifact for
   * a seal without them) before a result is shown from it (`metrics`, `check`): a file changed
   * in place is an error naming it, never a number.
   */
  async verifyOutput(name: string): Promise<void> {
    const kind = this.seal.outputs[name];
    if (!kind) return;
    const base = fileOf(name, kind);
    const files = Object.keys(this.seal.files).filter((f) => f === base || f.startsWith(`${base}/`));
    let bad: string | null = null;
    if (this.seal.sha256) {
      for (const f of files) {
        if ((await hashFileContent(join(this.folder, f)).catch(() => "unreadable")) !== this.seal.sha256[f]) {
          bad = `content differs from its seal: ${f}`;
          break;
        }
      }
    } else {
      const v = await verifyArtifact(this.folder, this.hash);
      if (!v.ok) bad = v.problem;
    }
    if (bad) {
      throw new StoreError(
        `${this.folder} (step ${this.step}): output "${name}" cannot be trusted (${bad}); ` +
          "run `somflow verify --fix` to remove it, then run the pipeline again to recompute it",
      );
    }
  }
}
