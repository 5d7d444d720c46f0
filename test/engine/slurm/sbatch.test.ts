import { describe, expect, it } from "vitest";
import { classifyFailure, parseJobId, pendingVerdict, sbatchArgs } from "../../../src/engine/slurm/sbatch.js";

const job = {
  runId: "20261202-1",
  step: "train-c",
  key: "a".repeat(64),
  log: "/s/jobs/r/train-c.log",
  cwd: "/w",
  script: "/s/jobs/r/train-c.sh",
  resources: { cpus: 8, memMiB: 16384, timeMinutes: 120, gpus: 0 },
};

describe("sbatch line", () => {
  it("turns resources into sbatch options, the script last", () => {
    const args = sbatchArgs(job);
    expect(args).toEqual([
      "--parsable",
      "--job-name=somflow-20261202-1",
      `--comment=train-c:${"a".repeat(16)}`,
      "--output=/s/jobs/r/train-c.log",
      "--error=/s/jobs/r/train-c.log",
      "-D",
      "/w",
      "--export=ALL",
      "--no-requeue",
      "--ntasks=1",
      "--cpus-per-task=8",
      "--mem=16G",
      "--time=02:00:00",
      "/s/jobs/r/train-c.sh",
    ]);
  });

  it("asks for GPUs with --gres and passes partition, account and extra arguments", () => {
    const args = sbatchArgs(
      { ...job, resources: { ...job.resources, gpus: 2 } },
      { partition: "gpu", account: "soil", extra: ["--qos=long"] },
    );
    expect(args).toContain("--gres=gpu:2");
    expect(args).toContain("--partition=gpu");
    expect(args).toContain("--account=soil");
    expect(args.indexOf("--qos=long")).toBe(args.length - 2);
    expect(sbatchArgs(job).some((a) => a.startsWith("--gres"))).toBe(false);
  });

  it("reads --parsable output", () => {
    expect(parseJobId("1234\n")).toBe("1234");
    expect(parseJobId("1234;cluster\n")).toBe("1234");
    expect(parseJobId("sbatch: error")).toBeNull();
  });
});

describe("failure reasons", () => {
  const res = job.resources;
  it("names the resource to raise", () => {
    const oom = classifyFailure("FAILED", "slurmstepd: error: Job 2 exceeded memory limit (419430400 > 62914560), being killed", res);
    expect(oom.kind).toBe("memory");
    expect(oom.message).toContain("resources.mem");
    const time = classifyFailure(null, "slurmstepd: error: *** JOB 3 ON vm CANCELLED AT 2026-12-02T10:00:00 DUE TO TIME LIMIT ***", res);
    expect(time.kind).toBe("time");
    expect(time.message).toContain("resources.time");
    expect(classifyFailure("TIMEOUT", "", res).kind).toBe("time");
    expect(classifyFailure(null, "*** JOB 4 ON vm CANCELLED AT 2026-12-02T10:00:00 ***", res).kind).toBe("cancelled");
    expect(classifyFailure("NODE_FAIL", "", res).kind).toBe("node");
    expect(classifyFailure("FAILED", "segfault", res).kind).toBe("failed");
  });
});

describe("pending jobs that will not start by themselves", () => {
  it("a launch failure (requeued and held) is told apart from a hold someone placed and from the queue", () => {
    expect(pendingVerdict("PENDING", "launch failed requeued held")).toBe("launch-failed");
    expect(pendingVerdict("REQUEUE_HOLD", "None")).toBe("launch-failed");
    expect(pendingVerdict("PENDING", "JobHeldUser")).toBe("held");
    expect(pendingVerdict("PENDING", "JobHeldAdmin")).toBe("held");
    expect(pendingVerdict("PENDING", "Resources")).toBeNull();
    expect(pendingVerdict("PENDING", "Priority")).toBeNull();
    expect(pendingVerdict("RUNNING", "None")).toBeNull();
  });
});
