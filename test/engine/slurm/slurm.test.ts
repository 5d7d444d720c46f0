/**
 * `--executor slurm` against a real one-node SLURM cluster: the same artifacts as a local run,
 * failures (scancel, memory, time) named with what to raise, a killed coordinator's jobs
 * reused, at most --jobs in flight, two coordinators on one store, and bad input.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cli, FIXTURE_STEPS, finish, startCli } from "../../cli/helpers.js";
import { REPO_ROOT } from "../../helpers/shared-data.js";
import { describeWithSlurm } from "./cluster.js";

const FAST = { SOMFLOW_SLURM_POLL_MS: "200", SOMFLOW_SLURM_STATE_MS: "1000" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunJson {
  run_id: string;
  steps: { name: string; status: string; reason: string }[];
}

async function waitFor<T>(what: string, f: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The job id file of `step` in the store's newest run, once written. */
async function jobIdOf(store: string, step: string): Promise<string | null> {
  const runs = (await readdir(join(store, "jobs")).catch(() => [])).sort();
  if (runs.length === 0) return null;
  const f = join(store, "jobs", runs.at(-1)!, `${step}.jobid`);
  return existsSync(f) ? (await readFile(f, "utf8")).trim() || null : null;
}

const artifactsOf = async (store: string) => (await readdir(join(store, "artifacts"))).filter((n) => /^[0-9a-f]{64}$/.test(n)).sort();

describeWithSlurm("--executor slurm (real one-node cluster)", () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  const slurm = (pipeline: string, store: string, extra: string[] = [], env: Record<string, string> = {}) =>
    cli(["run", pipeline, "--steps", FIXTURE_STEPS, "--store", store, "--executor", "slurm", "--json", ...extra], { ...FAST, ...env });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "somflow-slurm-test-"));
    // A small real science chain: ingest, preprocessing, QC, targets, PLSR, metrics.
    await writeFile(
      file("science.yaml"),
      `name: science
steps:
  library: { uses: synth.library, with: { n: 300, seed: 3 } }
  preprocess: { uses: spectra.preprocess, needs: [library], with: { out_of_range: trim } }
  qc: { uses: qc.outliers, needs: [preprocess, library] }
  targets: { uses: harmonize.targets, needs: [qc] }
  plsr: { uses: baseline.plsr, needs: [preprocess, targets], with: { target: c, max_components: 5 } }
  evaluate: { uses: metrics.evaluate, needs: [targets, plsr] }
`,
    );
    const held = (sleepMs: number, extra = "") => `name: held
params: { hold: ${sleepMs} }
steps:
  a: { uses: test.source, with: { n: 5 } }
  h: { uses: test.hog, needs: [a], with: { sleep_ms: "\${params.hold}" }${extra} }
  t: { uses: test.total, needs: [h] }
`;
    await writeFile(file("held.yaml"), held(8000));
    await writeFile(file("short.yaml"), held(3000));
    await writeFile(
      file("oom.yaml"),
      held(4000, ", resources: { mem: 200M }").replace('sleep_ms: "${params.hold}"', 'sleep_ms: "${params.hold}", mb: 600'),
    );
    await writeFile(file("timeout.yaml"), held(150_000, ", resources: { time: 1 }"));
    await writeFile(
      file("fan.yaml"),
      `name: fan
steps:
${[0, 1, 2, 3].map((i) => `  h${i}: { uses: test.hog, with: { sleep_ms: 2500, tag: "${i}" } }`).join("\n")}
`,
    );
    await writeFile(
      file("bad-resources.yaml"),
      `name: bad\nsteps:\n  a:\n    uses: test.source\n    with: { n: 5 }\n    resources:\n      mem: lots\n      cpus: 0\n`,
    );
    await writeFile(file("huge.yaml"), `name: huge\nsteps:\n  a: { uses: test.source, with: { n: 5 }, resources: { cpus: 512 } }\n`);
  });

  afterAll(() => {
    try {
      execFileSync("scancel", ["--user", process.env.USER ?? "root"], { timeout: 10_000 });
    } catch {
      /* nothing left to cancel */
    }
  });

  it("gives the artifacts of a local run, byte for byte; a second run submits no job", async () => {
    const [remote, local] = await Promise.all([
      slurm(file("science.yaml"), file("st-remote")),
      cli(["run", file("science.yaml"), "--store", file("st-local"), "--json"]),
    ]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(local.code, local.stderr).toBe(0);
    expect(await artifactsOf(file("st-remote"))).toEqual(await artifactsOf(file("st-local")));
    const first = JSON.parse(remote.stdout) as RunJson;
    expect(first.steps.every((s) => s.status === "ran")).toBe(true);
    // Every step ran as its own job, with its log kept beside the run.
    const jobs = await readdir(join(file("st-remote"), "jobs", first.run_id));
    for (const s of first.steps)
      expect(jobs).toEqual(expect.arrayContaining([`${s.name}.jobid`, `${s.name}.log`, `${s.name}.result.json`]));
    const record = JSON.parse(await readFile(join(file("st-remote"), "runs", `${first.run_id}.json`), "utf8"));
    const plsr = record.steps.find((s: { name: string }) => s.name === "plsr");
    expect(plsr.facts.slurm_job_id).toMatch(/^\d+$/);
    expect(typeof plsr.facts.slurm_node).toBe("string");

    const again = await slurm(file("science.yaml"), file("st-remote"));
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as RunJson;
    expect(second.steps.map((s) => s.status)).toEqual(first.steps.map(() => "cached"));
    expect(existsSync(join(file("st-remote"), "jobs", second.run_id))).toBe(false);
  }, 240_000);

  it("scancel of a running job: that step fails with the reason, descendants are skipped, exit 1; the next run resumes", async () => {
    const store = file("st-cancel");
    const child = startCli(["run", file("held.yaml"), "--steps", FIXTURE_STEPS, "--store", store, "--executor", "slurm", "--json"], FAST);
    const done = finish(child);
    const id = await waitFor("h's job", () => jobIdOf(store, "h"));
    await sleep(1500);
    execFileSync("scancel", [id]);
    const r = await done;
    expect(r.code).toBe(1);
    const run = JSON.parse(r.stdout) as RunJson;
    const byName = Object.fromEntries(run.steps.map((s) => [s.name, s]));
    expect(byName.a!.status).toBe("ran");
    expect(byName.h!.status).toBe("failed");
    expect(byName.h!.reason).toMatch(/cancel|interrupted/);
    expect(byName.t!.status).toBe("skipped");

    const resumed = await slurm(file("held.yaml"), store);
    expect(resumed.code, resumed.stderr).toBe(0);
    const statuses = Object.fromEntries((JSON.parse(resumed.stdout) as RunJson).steps.map((s) => [s.name, s.status]));
    expect(statuses).toEqual({ a: "cached", h: "ran", t: "ran" });
  }, 180_000);

  it("a coordinator killed with -9: its jobs finish, the next run reuses them and submits only what is missing", async () => {
    const store = file("st-kill");
    const child = startCli(["run", file("short.yaml"), "--steps", FIXTURE_STEPS, "--store", store, "--executor", "slurm", "--json"], FAST);
    const done = finish(child);
    await waitFor("h's job", () => jobIdOf(store, "h"));
    child.kill("SIGKILL");
    await done;
    const runs = (await readdir(join(store, "jobs"))).sort();
    const result = join(store, "jobs", runs.at(-1)!, "h.result.json");
    await waitFor("h's result", async () => (existsSync(result) ? true : null), 90_000);
    const r = await slurm(file("short.yaml"), store);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as RunJson;
    expect(Object.fromEntries(run.steps.map((s) => [s.name, s.status]))).toEqual({ a: "cached", h: "cached", t: "ran" });
    expect((await readdir(join(store, "jobs", run.run_id))).filter((n) => n.endsWith(".jobid"))).toEqual(["t.jobid"]);
  }, 180_000);

  it("a job over its memory fails naming resources.mem", async () => {
    const r = await slurm(file("oom.yaml"), file("st-oom"));
    expect(r.code).toBe(1);
    const h = (JSON.parse(r.stdout) as RunJson).steps.find((s) => s.name === "h")!;
    expect(h.status).toBe("failed");
    expect(h.reason).toContain("resources.mem");
  }, 120_000);

  it("at most --jobs jobs in flight", async () => {
    const store = file("st-fan");
    const r = await slurm(file("fan.yaml"), store, ["--jobs", "2"]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as RunJson;
    const spans = await Promise.all(
      run.steps.map(async (s) => {
        const j = JSON.parse(await readFile(join(store, "jobs", run.run_id, `${s.name}.result.json`), "utf8"));
        return [Date.parse(j.started_at), Date.parse(j.finished_at)] as const;
      }),
    );
    const maxOverlap = Math.max(...spans.map(([t]) => spans.filter(([a, b]) => a <= t && t < b).length));
    expect(maxOverlap).toBeLessThanOrEqual(2);
    expect(maxOverlap).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it("two coordinators on one store: both succeed, each step is computed once", async () => {
    const store = file("st-two");
    const [x, y] = await Promise.all([slurm(file("short.yaml"), store), slurm(file("short.yaml"), store)]);
    expect(x.code, x.stderr).toBe(0);
    expect(y.code, y.stderr).toBe(0);
    const runs = [JSON.parse(x.stdout) as RunJson, JSON.parse(y.stdout) as RunJson];
    for (const name of ["a", "h", "t"]) {
      const ran = runs.filter((r) => r.steps.find((s) => s.name === name)!.status === "ran").length;
      expect(ran, `step ${name} computed by both`).toBe(1);
    }
  }, 180_000);

  it("refuses bad input before submitting anything (exit 2)", async () => {
    const bad = await slurm(file("bad-resources.yaml"), file("st-bad"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad-resources\.yaml:\d+.*steps\.a\.resources\.mem/);
    expect(bad.stderr).toContain("16G");
    expect(bad.stderr).toMatch(/steps\.a\.resources\.cpus/);

    const huge = await slurm(file("huge.yaml"), file("st-huge"));
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/step a asks for more than the largest node.*cpus 512/);
    expect(existsSync(join(file("st-huge"), "jobs"))).toBe(false);

    const partition = await slurm(file("short.yaml"), file("st-part"), ["--slurm-partition", "nosuchpartition"]);
    expect(partition.code).toBe(2);
    expect(partition.stderr).toContain("nosuchpartition");

    const noSlurm = await slurm(file("short.yaml"), file("st-none"), [], { PATH: join(dir, "empty-path") });
    expect(noSlurm.code).toBe(2);
    expect(noSlurm.stderr).toMatch(/SLURM client commands .* not installed/);

    const conf = (await readFile(process.env.SLURM_CONF!, "utf8")).replace(/^SlurmctldPort=\d+/m, "SlurmctldPort=9");
    await writeFile(file("down.conf"), conf);
    const down = await slurm(file("short.yaml"), file("st-down"), [], { SLURM_CONF: file("down.conf") });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/controller does not answer/);
  }, 180_000);

  it("a job over its time limit fails naming resources.time", async () => {
    const r = await slurm(file("timeout.yaml"), file("st-time"));
    expect(r.code).toBe(1);
    const h = (JSON.parse(r.stdout) as RunJson).steps.find((s) => s.name === "h")!;
    expect(h.status).toBe("failed");
    expect(h.reason).toContain("resources.time");
  }, 200_000);

  // Last: it takes the node down and brings it back.
  it("a node that dies (slurmd and the job's processes killed): the step fails naming the node; the next run resumes", async () => {
    const store = file("st-node");
    const child = startCli(["run", file("held.yaml"), "--steps", FIXTURE_STEPS, "--store", store, "--executor", "slurm", "--json"], FAST);
    const done = finish(child);
    await waitFor("h's job", () => jobIdOf(store, "h"));
    // Kill once the step runs on the node: killing slurmd while it launches the job is a
    // launch failure (SLURM requeues and holds the job), a different path, handled the same.
    const running = () => {
      try {
        execFileSync("pgrep", ["-f", "run-step .*/h.json"]);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor("h's step process", async () => (running() ? true : null));
    await sleep(1000);
    const conf = process.env.SLURM_CONF!;
    const pidFile = (await readFile(conf, "utf8")).match(/^SlurmdPidFile=(.*)$/m)![1]!;
    const kill = (args: string[]) => {
      try {
        execFileSync("pkill", args);
      } catch {
        /* none left */
      }
    };
    execFileSync("kill", ["-9", (await readFile(pidFile, "utf8")).trim()]);
    kill(["-9", "slurmstepd"]);
    kill(["-9", "-f", "run-step .*/h.json"]);
    try {
      const r = await done;
      expect(r.code).toBe(1);
      const h = (JSON.parse(r.stdout) as RunJson).steps.find((s) => s.name === "h")!;
      expect(h.status).toBe("failed");
      expect(h.reason).toMatch(/node failed/);
    } finally {
      execFileSync("bash", [join(REPO_ROOT, "test/slurm/cluster.sh"), "start", dirname(dirname(conf))]);
    }
    const resumed = await slurm(file("held.yaml"), store);
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 240_000);
});
