/**
 * Content hashes of the outside files a step reads (ingest paths, lab tables, OPUS folders),
 * so editing an input file reruns its ingest step. Freshness is decided by content; size,
 * mtime and inode only let an unchanged file skip rehashing (like git's index), via a small
 * cache kept in the store.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readJsonOrNull, writeJsonAtomic } from "./store/records.js";

interface Seen {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
}

async function hashFile(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export class FileHasher {
  private cache: Record<string, Seen> | null = null;
  private dirty = false;

  constructor(private readonly cacheFile: string | null) {}

  private async seen(): Promise<Record<string, Seen>> {
    this.cache ??= (this.cacheFile && (await readJsonOrNull<Record<string, Seen>>(this.cacheFile))) || {};
    return this.cache;
  }

  private async one(path: string): Promise<string> {
    const st = await stat(path).catch(() => null);
    if (!st) return "missing";
    if (st.isDirectory()) {
      const h = createHash("sha256");
      for (const name of (await readdir(path)).sort()) h.update(`${name}\0${await this.one(join(path, name))}\n`);
      return h.digest("hex");
    }
    const cache = await this.seen();
    const prior = cache[path];
    if (prior && prior.size === st.size && prior.mtimeMs === st.mtimeMs && prior.ino === st.ino) return prior.hash;
    const hash = await hashFile(path);
    cache[path] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash };
    this.dirty = true;
    return hash;
  }

  /** { path as written: content hash | "missing" } */
  async hash(paths: readonly string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const p of [...paths].sort()) out[p] = await this.one(resolve(p));
    return out;
  }

  async save(): Promise<void> {
    if (this.dirty && this.cacheFile && this.cache) await writeJsonAtomic(this.cacheFile, this.cache);
    this.dirty = false;
  }
}
