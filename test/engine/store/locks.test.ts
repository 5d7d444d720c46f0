/**
 * Locks and temp folders judged the same way on one host or several sharing the store: a
 * lock of another host is never judged by a local pid lookup, only by its heartbeat.
 */
import { mkdir, mkdtemp, readFile, utimes, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareStore, type StoreLayout } from "../../../src/engine/store/layout.js";
import { acquireLock } from "../../../src/engine/store/locks.js";
import { tempFolderStale, type LeaseInfo } from "../../../src/engine/store/leases.js";
import { ownerTag, parseTag, readOwner, thisHost } from "../../../src/engine/store/owner.js";
import { deadPid } from "./fs-faults.js";

const KEY = "a".repeat(64);
let l: StoreLayout;
const saved = process.env.SOMFLOW_LEASE_TIMEOUT_S;

beforeEach(async () => {
  process.env.SOMFLOW_LEASE_TIMEOUT_S = "3";
  l = await prepareStore(join(await mkdtemp(join(tmpdir(), "somflow-lock-")), "store"));
});
afterEach(() => {
  if (saved === undefined) delete process.env.SOMFLOW_LEASE_TIMEOUT_S;
  else process.env.SOMFLOW_LEASE_TIMEOUT_S = saved;
});

async function fakeLock(owner: Record<string, unknown>, ageS: number): Promise<string> {
  const dir = join(l.locks, KEY);
  await mkdir(dir);
  const file = join(dir, "owner.json");
  await writeFile(file, JSON.stringify({ boot: null, job: null, run: "r", token: "t0", since: "", heartbeat_at: "", ...owner }));
  const t = (Date.now() - ageS * 1000) / 1000;
  await utimes(file, t, t);
  return file;
}

const settleWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => "acquired"), new Promise((r) => setTimeout(() => r("waiting"), ms))]);

describe("locks across hosts", () => {
  it("respects another host's lock with a fresh heartbeat (its pid is not looked up here), takes it over once the heartbeat is old", async () => {
    const file = await fakeLock({ host: "node-17.cluster", pid: deadPid() }, 0);
    let waited = 0;
    const p = acquireLock(l, KEY, () => waited++, 50);
    expect(await settleWithin(p, 1200)).toBe("waiting");
    expect(waited).toBe(1);
    const old = (Date.now() - 10_000) / 1000;
    await utimes(file, old, old); // the other node stopped beating (died)
    expect(await settleWithin(p, 2000)).toBe("acquired");
    const release = await p;
    expect(existsSync(join(l.locks, KEY, "owner.json"))).toBe(true);
    await release();
    expect(existsSync(join(l.locks, KEY))).toBe(false);
  });

  it("takes over at once a lock of this host whose process is gone (kill -9), heartbeat still fresh", async () => {
    await fakeLock({ host: thisHost(), pid: deadPid() }, 0);
    const release = await acquireLock(l, KEY, () => undefined, 50);
    await release();
  });

  it("keeps waiting for a live process of this host", async () => {
    await fakeLock({ host: thisHost(), pid: process.pid, token: "someone-else" }, 0);
    expect(
      await settleWithin(
        acquireLock(l, KEY, () => undefined, 50),
        800,
      ),
    ).toBe("waiting");
  });
});

describe("heartbeat", () => {
  it("refreshes a held lock's owner file, and never overwrites a lock taken over by someone else", async () => {
    process.env.SOMFLOW_LEASE_TIMEOUT_S = "0.5"; // beats every 100 ms
    const release = await acquireLock(l, KEY, () => undefined, 50);
    const file = join(l.locks, KEY, "owner.json");
    const before = (await readOwner(file))!.mtimeMs;
    await new Promise((r) => setTimeout(r, 400));
    expect((await readOwner(file))!.mtimeMs).toBeGreaterThan(before);
    // Another holder took the lock over (we were judged stale): our beats never touch its owner file.
    const theirs = JSON.stringify({
      host: "node-17.cluster",
      boot: null,
      pid: 1,
      job: null,
      run: null,
      token: "theirs",
      since: "",
      heartbeat_at: "",
    });
    await writeFile(file, theirs);
    await new Promise((r) => setTimeout(r, 400));
    expect(await readFile(file, "utf8")).toBe(theirs);
    await release(); // not ours any more: left in place
    expect(existsSync(file)).toBe(true);
  });
});

describe("temp folders named by host, pid and job", () => {
  const lease = (host: string, pid: number, stale: boolean): LeaseInfo => ({
    run: "r",
    dir: "",
    owner: { host, pid } as LeaseInfo["owner"],
    stale,
    why: "",
    refs: new Set(),
  });

  it("names temp folders <host>_<pid>[_j<job>]_… and parses them back", () => {
    expect(parseTag(`${ownerTag()}_x1Y2z3`)).toEqual({ host: thisHost(), pid: process.pid, job: process.env.SLURM_JOB_ID ?? null });
    expect(parseTag("node-3.hpc_4242_j991_abc123")).toEqual({ host: "node-3.hpc", pid: 4242, job: "991" });
    expect(parseTag("4242-abc123")).toEqual({ host: thisHost(), pid: 4242, job: null }); // stores from before host names
  });

  it("judges this host's folders by their process, other hosts' by a fresh lease or, without one, by age", () => {
    const now = Date.now();
    expect(tempFolderStale(`${thisHost()}_${process.pid}_abc`, 0, [], now).stale).toBe(false);
    expect(tempFolderStale(`${thisHost()}_${deadPid()}_abc`, now, [], now).stale).toBe(true);
    const other = "node-17.cluster_4242_j77_abc";
    expect(tempFolderStale(other, 0, [lease("node-17.cluster", 4242, false)], now).stale).toBe(false); // old folder, live lease
    expect(tempFolderStale(other, 0, [lease("node-17.cluster", 4242, true)], now).stale).toBe(true);
    expect(tempFolderStale(other, now - 1000, [], now).stale).toBe(false); // young: maybe just starting
    expect(tempFolderStale(other, now - 10_000, [], now).stale).toBe(true);
  });
});
