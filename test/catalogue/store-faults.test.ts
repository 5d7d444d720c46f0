/**
 * Store faults and concurrency: each case damages a copy of one small store (synth n 200 ->
 * preprocess -> PLSR -> metrics), runs the CLI as a user would and asserts the exit code,
 * that the message names the file and what to do, that nothing half-written is left, and
 * that a later clean run gives metrics identical to an undisturbed run. Most cases call the
 * CLI's `main` in this process (fast); kill -9 and concurrent runs use real processes.
 * The table is mirrored in docs/BAD-INPUTS.md ("Store faults and concurrency").
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import type { RunRecord } from "../../src/engine/run-record.js";
import { listRuns } from "../../src/engine/store/records.js";
import { layout } from "../../src/engine/store/layout.js";
import { thisHost } from "../../src/engine/store/owner.js";
import { cli, finish, startCli } from "../cli/helpers.js";
import { deadPid, makeReadOnly } from "../engine/store/fs-faults.js";
import { artifactOf, copyStore, firstF32, flipBytes, metricsOf, SMALL, tmpStore } from "../engine/store/small-pipeline.js";

interface Out {
  code: number;
  out: string;
  err: string;
}

/** The CLI's main() in this process, its output captured. */
async function somflow(...args: string[]): Promise<Out> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c) => ((err += String(c)), true));
  // vitest routes console.* around process.std*.write: capture both.
  const cl = vi.spyOn(console, "log").mockImplementation((...a) => void (out += `${a.join(" ")}\n`));
  const ce = vi.spyOn(console, "error").mockImplementation((...a) => void (err += `${a.join(" ")}\n`));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    for (const spy of [o, e, cl, ce]) spy.mockRestore();
  }
}

const run = (store: string, ...more: string[]) => somflow("run", SMALL, "--store", store, ...more);
const latest = async (store: string): Promise<RunRecord> => (await listRuns(layout(store))).at(-1)!;
const status = (r: RunRecord, step: string) => r.steps.find((s) => s.name === step)!;

let pristine: string;
let first: RunRecord;
let undisturbed: unknown[];

/** Nothing half-written: no temp folder, no lock, no lease left; verify finds no corruption. */
async function clean(store: string): Promise<void> {
  expect(await readdir(join(store, "tmp"))).toEqual([]);
  expect((await readdir(join(store, "locks"))).filter((n) => !n.startsWith(".clock"))).toEqual([]);
  expect(await readdir(join(store, "leases"))).toEqual([]);
  const v = await somflow("verify", "--store", store);
  expect(v.code, v.err).toBe(0);
}

/** A later clean run: exit 0 and the metrics of the undisturbed run. */
async function recovers(store: string, ...more: string[]): Promise<RunRecord> {
  const r = await run(store, ...more);
  expect(r.code, r.err).toBe(0);
  const rec = await latest(store);
  expect(await metricsOf(store, rec)).toEqual(undisturbed);
  await clean(store);
  return rec;
}

beforeAll(async () => {
  pristine = await tmpStore();
  const r = await run(pristine);
  expect(r.code, r.err).toBe(0);
  first = await latest(pristine);
  undisturbed = await metricsOf(pristine, first);
  expect(undisturbed.length).toBeGreaterThan(0);
}, 120_000);

describe("store faults", () => {
  it("truncated artifact file: a cache miss, the step is recomputed", async () => {
    const store = await copyStore(pristine);
    const f32 = await firstF32(artifactOf(store, first, "preprocess"));
    await truncate(f32, 100);
    const v = await somflow("verify", "--store", store);
    expect(v.code).toBe(1);
    expect(v.err).toContain("(step preprocess, spectra.preprocess): content differs from its seal: spectra.spectra/block-0.f32");
    expect(v.err).toContain("the next run that needs this step recomputes it");
    const rec = await recovers(store);
    expect(status(rec, "preprocess")).toMatchObject({ status: "ran", reason: "stored artifact missing or corrupt" });
  });

  it("same-size overwrite: --force of a downstream step recomputes it first, with a warning naming the file", async () => {
    const store = await copyStore(pristine);
    await flipBytes(await firstF32(artifactOf(store, first, "preprocess")));
    const r = await run(store, "--force", "plsr");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      /warning: input preprocess: cached artifact [0-9a-f]{12} is corrupt \(content differs from its seal: spectra\.spectra\/block-0\.f32\); recomputing preprocess before plsr runs/,
    );
    expect(await metricsOf(store, await latest(store))).toEqual(undisturbed);
    await clean(store);
  });

  it("metrics table changed in place (same size): `metrics` and `check` refuse, naming the file; verify --fix and a run recover", async () => {
    const store = await copyStore(pristine);
    const file = join(artifactOf(store, first, "evaluate"), "metrics.parquet");
    const bytes = await readFile(file);
    for (let i = 200; i < 210; i++) bytes[i] = bytes[i]! ^ 0x01; // a few flipped bits inside the data
    await writeFile(file, bytes);
    const m = await somflow("metrics", "--store", store, "--json");
    expect(m.code).toBe(2);
    expect(m.err).toContain(`(step evaluate): output "metrics" cannot be trusted (content differs from its seal: metrics.parquet)`);
    expect(m.err).toContain("run `somflow verify --fix` to remove it, then run the pipeline again");
    expect(m.out).toBe("");
    const c = await somflow("check", SMALL, "--store", store);
    expect(c.code).toBe(2);
    expect((await somflow("verify", "--store", store, "--fix")).code).toBe(0);
    await recovers(store);
  });

  it("deleted artifact folder: a cache miss, recomputed", async () => {
    const store = await copyStore(pristine);
    await rm(artifactOf(store, first, "plsr"), { recursive: true });
    const v = await somflow("verify", "--store", store);
    expect(v.code).toBe(0); // nothing corrupt: a key to a missing artifact is a leftover
    expect(v.err).toMatch(/leftover: keys\/[0-9a-f]{64}\.json: its artifact [0-9a-f]{12} is not in the store/);
    const rec = await recovers(store);
    expect(status(rec, "plsr").status).toBe("ran");
  });

  it("deleted seal: the artifact is not trusted, recomputed", async () => {
    const store = await copyStore(pristine);
    await rm(join(artifactOf(store, first, "library"), "_artifact.json"));
    const v = await somflow("verify", "--store", store);
    expect(v.code).toBe(1);
    expect(v.err).toContain("its seal _artifact.json is missing");
    const rec = await recovers(store);
    expect(status(rec, "library")).toMatchObject({ status: "ran", reason: "stored artifact missing or corrupt" });
  });

  it("corrupt keys/*.json: the step reruns (no wrong hit), verify names the key file", async () => {
    const store = await copyStore(pristine);
    const key = layout(store).key(status(first, "targets").key);
    await writeFile(key, '{"key": "abc", "artif');
    const v = await somflow("verify", "--store", store);
    expect(v.code).toBe(1);
    expect(v.err).toContain(`corrupt: keys/${status(first, "targets").key}.json: cache key record not valid JSON`);
    expect(v.err).toContain("`somflow verify --fix` removes it now");
    const rec = await recovers(store);
    expect(status(rec, "targets").status).toBe("ran");
  });

  it("corrupt index manifest: plan still works, the run rewrites it", async () => {
    const store = await copyStore(pristine);
    const index = layout(store).index("small", "plsr");
    await writeFile(index, "{ not json");
    const v = await somflow("verify", "--store", store);
    expect(v.code).toBe(1);
    expect(v.err).toContain("index/small/plsr.json: the manifest this step last ran with is not valid JSON");
    const p = await somflow("plan", SMALL, "--store", store);
    expect(p.code, p.err).toBe(0);
    await recovers(store);
  });

  it("leftover temp folder of a process that is gone: ignored by runs, removed by gc", async () => {
    const store = await copyStore(pristine);
    const left = join(store, "tmp", `${thisHost()}_${deadPid()}_Xy12Ab`);
    await mkdir(join(left, "spectra.spectra"), { recursive: true });
    await writeFile(join(left, "spectra.spectra", "block-0.f32"), Buffer.alloc(64));
    const v = await somflow("verify", "--store", store);
    expect(v.code).toBe(0);
    expect(v.err).toContain(`leftover: tmp/${left.split("/").pop()}: work in progress of a process that is gone`);
    expect(v.err).toContain("`somflow gc` removes it");
    const r = await run(store);
    expect(r.code).toBe(0);
    expect((await somflow("gc", "--store", store, "--keep", "1")).code).toBe(0);
    expect(existsSync(left)).toBe(false);
    await recovers(store);
  });

  it("read-only store: exit 2 before any step, the folder and what to do named", async () => {
    const store = await copyStore(pristine);
    const undo = await makeReadOnly(store);
    try {
      const r = await run(store, "-p", "components=4");
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`store ${store}: ${store}\\S* is not writable \\((EROFS|EACCES)\\); nothing was run`));
      expect(r.err).toContain("pass --store DIR");
    } finally {
      await undo();
    }
    await recovers(store);
  });

  it("disk full while a step writes (a 1 MiB tmpfs): the step fails naming the folder and what to do; nothing half-written; a larger store recovers", async (ctx) => {
    if (process.getuid?.() !== 0) {
      ctx.skip(); // mounting a tmpfs needs root; CI runs as root
      return;
    }
    const mnt = await mkdtemp(join(tmpdir(), "somflow-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt]);
    try {
      const store = join(mnt, "store");
      const r = await run(store);
      expect(r.code).toBe(1);
      expect(r.err).toContain("no space left on the store's filesystem");
      expect(r.err).toContain("Free space (somflow gc removes old runs' artifacts) or pass --store DIR on a larger filesystem");
      expect(r.err).toMatch(/cannot write output "\w+" into \S+\/tmp\//);
      expect(await readdir(join(store, "tmp"))).toEqual([]);
      execFileSync("mount", ["-o", "remount,size=64m", mnt]);
      await recovers(store);
    } finally {
      execFileSync("umount", [mnt]);
    }
  });
});

describe("concurrency", () => {
  it("stale lock after kill -9 inside a step: the next run takes it over and completes", async () => {
    const store = await copyStore(pristine);
    const child = startCli(["run", SMALL, "--store", store, "--force", "plsr"]);
    const done = finish(child);
    const plsrLock = join(store, "locks", status(first, "plsr").key);
    for (let i = 0; i < 600 && !existsSync(plsrLock); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(plsrLock)).toBe(true);
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    const v = await somflow("verify", "--store", store);
    expect(v.err).toMatch(/leftover: leases\/\S+: lease of run \S+ is stale \(process \d+ on this host is gone\)/);
    const r = await run(store);
    expect(r.code, r.err).toBe(0);
    expect((await somflow("gc", "--store", store, "--keep", "5")).code).toBe(0);
    await recovers(store);
  }, 90_000);

  it("two runs at once on an empty store: both succeed, every step computed by one of them, metrics identical", async () => {
    const store = await tmpStore();
    const [a, b] = await Promise.all([cli(["run", SMALL, "--store", store, "--json"]), cli(["run", SMALL, "--store", store, "--json"])]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const steps = (x: { stdout: string }) => JSON.parse(x.stdout.trim().split("\n").at(-1)!).steps as { name: string; status: string }[];
    for (const [i, s] of steps(a).entries()) {
      expect([s.status, steps(b)[i]!.status].filter((t) => t === "ran")).toHaveLength(1);
    }
    for (const rec of await listRuns(layout(store))) expect(await metricsOf(store, rec)).toEqual(undisturbed);
    await clean(store);
  }, 120_000);
});

afterAll(async () => {
  await rm(pristine, { recursive: true, force: true });
});
