/**
 * Content hashes of files: the outside files a step reads (ingest paths, lab tables, OPUS
 * folders), so editing an input file reruns its ingest step, and the files of an artifact
 * (its seal). Freshness is decided by content; size, mtime and inode only let an unchanged
 * input file skip rehashing (like git's index), via a small cache kept in the store.
 *
 * Only regular files (and folders of them) are read: a device such as /dev/zero or a FIFO
 * would never end, so it is refused before anything is read.
 */
import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UsageError } from "./errors.js";
import { readJsonOrNull, writeJsonAtomic } from "./store/records.js";

interface Seen {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
}

/** 1 MiB reads instead of the stream default 64 KiB: 16 times fewer chunks through the hash. */
const CHUNK = 1 << 20;

/** sha256 of a file's content, streamed (constant memory). */
export async function hashFileContent(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) h.update(chunk as Buffer);
  return h.digest("hex");
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** Names where a path came from in an error, e.g. `steps.library.with.path`. */
export type PathLabel = (path: string) => string;

function refuse(label: string, given: string, actual: string, st: Stats): never {
  const inside = given === actual ? "" : ` (inside ${given})`;
  throw new UsageError(
    `${label}: ${actual}${inside} is ${kindOf(st)}; only regular files and folders of them can be read — name a data file instead`,
  );
}

/**
 * Refuses any input path that is (or contains) something other than a regular file or a
 * folder, without reading content: called before any step runs and by `plan`.
 */
export async function checkInputPaths(paths: readonly string[], label: PathLabel = (p) => p): Promise<void> {
  const walk = async (given: string, p: string): Promise<void> => {
    const st = await stat(p).catch(() => null);
    if (!st) return; // missing: hashed as "missing"; the step says what it expected
    if (st.isDirectory()) {
      for (const name of await readdir(p)) await walk(given, join(p, name));
    } else if (!st.isFile()) refuse(label(given), given, p, st);
  };
  for (const p of paths) await walk(p, resolve(p));
}

export class FileHasher {
  private cache: Record<string, Seen> | null = null;
  private dirty = false;

  constructor(private readonly cacheFile: string | null) {}

  private async seen(): Promise<Record<string, Seen>> {
    this.cache ??= (this.cacheFile && (await readJsonOrNull<Record<string, Seen>>(this.cacheFile))) || {};
    return this.cache;
  }

  private async one(given: string, path: string, label: PathLabel): Promise<string> {
    const st = await stat(path).catch(() => null);
    if (!st) return "missing";
    if (st.isDirectory()) {
      const h = createHash("sha256");
      for (const name of (await readdir(path)).sort()) h.update(`${name}\0${await this.one(given, join(path, name), label)}\n`);
      return h.digest("hex");
    }
    if (!st.isFile()) refuse(label(given), given, path, st);
    const cache = await this.seen();
    const prior = cache[path];
    if (prior && prior.size === st.size && prior.mtimeMs === st.mtimeMs && prior.ino === st.ino) return prior.hash;
    const hash = await hashFileContent(path);
    cache[path] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash };
    this.dirty = true;
    return hash;
  }

  /** { path as written: content hash | "missing" }; a path that is not a regular file or folder is a UsageError. */
  async hash(paths: readonly string[], label: PathLabel = (p) => p): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const p of [...paths].sort()) out[p] = await this.one(p, resolve(p), label);
    return out;
  }

  async save(): Promise<void> {
    if (this.dirty && this.cacheFile && this.cache) await writeJsonAtomic(this.cacheFile, this.cache);
    this.dirty = false;
  }
}

/** The option key path whose value is `path` (`steps.<step>.with.<key>`), for error messages. */
export function optionLabel(stepName: string, options: unknown): PathLabel {
  return (path) => {
    const find = (v: unknown, at: string): string | null => {
      if (v === path) return at;
      if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          const hit = find(x, Array.isArray(v) ? `${at}[${k}]` : `${at}.${k}`);
          if (hit) return hit;
        }
      }
      return null;
    };
    return find(options, `steps.${stepName}.with`) ?? `steps.${stepName} input file`;
  };
}
