/**
 * `somflow verify`: the whole store against its seals and records. Corruption (an artifact
 * whose files differ from its seal, an unreadable key, index or run record) is a problem the
 * user must know about; leftovers (keys to removed artifacts, temp folders, locks and leases
 * of processes that are gone) are harmless and listed with what removes them. `fix` removes
 * what can be rebuilt (under the store lock, like gc); run records are never deleted here.
 */
import { readFile, readdir, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { UsageError } from "../errors.js";
import { verifyArtifact } from "./artifacts.js";
import { quarantineArtifact } from "./integrity.js";
import { layout, type StoreLayout } from "./layout.js";
import { readLeases, tempFolderStale } from "./leases.js";
import { listLocks, lockState, storeLockDir, withStoreLock } from "./locks.js";
import { storeNow } from "./owner.js";
import { listRunFiles } from "./records.js";

export interface StoreProblem {
  /** corrupt: exit 1; leftover: harmless, listed. */
  severity: "corrupt" | "leftover";
  kind: "artifact" | "key" | "index" | "run" | "temp" | "lock" | "lease";
  /** Path of the file or folder, absolute. */
  path: string;
  message: string;
  /** What to do about it. */
  action: string;
  /** Removed by `fix`. */
  fixed?: boolean;
}

export interface VerifyResult {
  store: string;
  artifacts: { checked: number; ok: number; legacy: number };
  problems: StoreProblem[];
}

const HASH = /^[0-9a-f]{64}$/;
const list = (dir: string) => readdir(dir).catch(() => [] as string[]);

async function jsonProblem(path: string): Promise<string | null> {
  try {
    const v = JSON.parse(await readFile(path, "utf8")) as unknown;
    return v && typeof v === "object" ? null : "not a JSON object";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code ? `unreadable (${code})` : `not valid JSON (${(e as Error).message})`;
  }
}

/** " (step NAME, TYPE)" from a seal that can still be read, for messages. */
async function stepOf(dir: string): Promise<string> {
  try {
    const seal = JSON.parse(await readFile(join(dir, "_artifact.json"), "utf8")) as { step?: string; type?: string };
    return seal.step ? ` (step ${seal.step}, ${seal.type})` : "";
  } catch {
    return "";
  }
}

export async function verifyStore(root: string, opts: { fix?: boolean } = {}): Promise<VerifyResult> {
  const l = layout(root);
  if (!(await stat(root).catch(() => null))?.isDirectory()) {
    throw new UsageError(`no store at ${root}; pass --store DIR (or set SOMFLOW_STORE) to the store to check`);
  }
  const go = () => check(l, !!opts.fix);
  return opts.fix ? withStoreLock(l, go) : go();
}

/** One pass over the store: problems in a fixed order (artifacts, keys, index, runs, leases, temp, locks). */
async function check(l: StoreLayout, fix: boolean): Promise<VerifyResult> {
  const c: Pass = { l, fix, problems: [], rel: (p) => relative(l.root, p) };
  const counts = await checkArtifacts(c);
  await checkKeys(c);
  await checkIndex(c);
  for (const { path, error } of (await listRunFiles(l)).unreadable) {
    await found(c, {
      severity: "corrupt",
      kind: "run",
      path,
      message: `${c.rel(path)}: run record ${error}`,
      action: `restore it from a backup, or delete it (rm ${path}); \`somflow runs\` lists the other runs`,
    });
  }
  await checkLeftovers(c);
  return { store: l.root, artifacts: counts, problems: c.problems };
}

interface Pass {
  l: StoreLayout;
  fix: boolean;
  problems: StoreProblem[];
  rel(p: string): string;
}

/** Records a problem; with --fix, `repair` runs first and the problem is marked fixed. */
async function found(c: Pass, p: StoreProblem, repair?: () => Promise<unknown>): Promise<void> {
  if (c.fix && repair) {
    await repair();
    p.fixed = true;
  }
  c.problems.push(p);
}

async function checkArtifacts(c: Pass): Promise<VerifyResult["artifacts"]> {
  const { l } = c;
  const counts = { checked: 0, ok: 0, legacy: 0 };
  for (const name of (await list(l.artifacts)).sort()) {
    const dir = l.artifact(name);
    if (!HASH.test(name)) {
      c.problems.push({
        severity: "leftover",
        kind: "artifact",
        path: dir,
        message: `${c.rel(dir)} is not an artifact (its name is not a content hash)`,
        action: `remove it: rm -r ${dir}`,
      });
      continue;
    }
    counts.checked++;
    const v = await verifyArtifact(dir, name);
    if (v.ok) {
      counts.ok++;
      if (v.legacy) counts.legacy++;
      continue;
    }
    const p: StoreProblem = {
      severity: "corrupt",
      kind: "artifact",
      path: dir,
      message: `${c.rel(dir)}${await stepOf(dir)}: ${v.problem}`,
      action: "the next run that needs this step recomputes it; `somflow verify --fix` removes it now",
    };
    await found(c, p, () => quarantineArtifact(l, name));
  }
  return counts;
}

async function checkKeys(c: Pass): Promise<void> {
  const { l } = c;
  const present = new Set(await list(l.artifacts));
  for (const f of (await list(l.keys)).sort()) {
    const path = join(l.keys, f);
    const bad = await jsonProblem(path);
    let p: StoreProblem | null = null;
    if (bad) {
      p = {
        severity: "corrupt",
        kind: "key",
        path,
        message: `${c.rel(path)}: cache key record ${bad}`,
        action: "its step reruns on the next run; `somflow verify --fix` removes it now",
      };
    } else {
      const entry = JSON.parse(await readFile(path, "utf8")) as { artifact?: string };
      if (!entry.artifact || !present.has(entry.artifact)) {
        p = {
          severity: "leftover",
          kind: "key",
          path,
          message: `${c.rel(path)}: its artifact ${entry.artifact?.slice(0, 12) ?? "(none)"} is not in the store`,
          action: "harmless (the step reruns); `somflow gc` or `somflow verify --fix` removes it",
        };
      }
    }
    if (p) await found(c, p, () => rm(path, { force: true }));
  }
}

async function checkIndex(c: Pass): Promise<void> {
  const index = join(c.l.root, "index");
  for (const pipeline of (await list(index)).sort()) {
    for (const f of (await list(join(index, pipeline))).sort()) {
      const path = join(index, pipeline, f);
      const bad = await jsonProblem(path);
      if (!bad) continue;
      const p: StoreProblem = {
        severity: "corrupt",
        kind: "index",
        path,
        message: `${c.rel(path)}: the manifest this step last ran with is ${bad}`,
        action:
          "`plan` cannot explain this step's changes until it runs again (the next run rewrites it); `somflow verify --fix` removes it now",
      };
      await found(c, p, () => rm(path, { force: true }));
    }
  }
}

/** Stale leases, temp folders of processes that are gone, stale locks: harmless, listed. */
async function checkLeftovers(c: Pass): Promise<void> {
  const { l, fix } = c;
  const leases = await readLeases(l);
  for (const x of leases.filter((x) => x.stale)) {
    const p: StoreProblem = {
      severity: "leftover",
      kind: "lease",
      path: x.dir,
      message: `${c.rel(x.dir)}: lease of run ${x.run} is stale (${x.why})`,
      action: "`somflow gc` removes it",
    };
    await found(c, p, () => rm(x.dir, { recursive: true, force: true }));
  }
  const now = await storeNow(l.tmp);
  for (const name of (await list(l.tmp)).filter((n) => !n.startsWith(".")).sort()) {
    const path = join(l.tmp, name);
    const st = await stat(path).catch(() => null);
    if (!st) continue;
    const t = tempFolderStale(name, st.mtimeMs, leases, now);
    if (!t.stale) continue;
    const p: StoreProblem = {
      severity: "leftover",
      kind: "temp",
      path,
      message: `${c.rel(path)}: work in progress of a process that is gone (${t.why})`,
      action: "`somflow gc` removes it",
    };
    await found(c, p, () => rm(path, { recursive: true, force: true }));
  }
  for (const name of await listLocks(l)) {
    const dir = join(l.locks, name);
    if (fix && dir === storeLockDir(l)) continue; // ours, right now
    const s = await lockState(dir);
    if (!s.stale || s.why === "gone") continue;
    const p: StoreProblem = {
      severity: "leftover",
      kind: "lock",
      path: dir,
      message: `${c.rel(dir)}: stale lock (${s.why})`,
      action: "harmless: the next run that needs it takes it over; `somflow gc` removes it",
    };
    await found(c, p, () => rm(dir, { recursive: true, force: true }));
  }
}
