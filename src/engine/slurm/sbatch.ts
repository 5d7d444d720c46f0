/**
 * The sbatch command line for one step's job, and how a finished job's fate is read — pure
 * functions, so the line is tested as built (GPUs cannot be tested otherwise on a machine
 * without one) and the failure reasons are tested on real SLURM log text.
 */
import { formatMemory, formatTime, type Resources } from "../resources.js";

export interface SubmitOptions {
  partition?: string;
  account?: string;
  /** Extra sbatch arguments passed through verbatim (`--slurm-arg "--qos=long"`). */
  extra?: readonly string[];
}

export interface JobSpec {
  runId: string;
  step: string;
  key: string;
  /** Absolute path of the job's log (stdout and stderr). */
  log: string;
  /** Absolute working directory of the job. */
  cwd: string;
  /** Absolute path of the script sbatch runs. */
  script: string;
  resources: Resources;
}

/** Job names share a prefix per run so one `squeue --name` finds them all. */
export const jobName = (runId: string) => `somflow-${runId}`;

export function sbatchArgs(job: JobSpec, opts: SubmitOptions = {}): string[] {
  const r = job.resources;
  const args = [
    "--parsable",
    `--job-name=${jobName(job.runId)}`,
    // The step and its cache key, for people reading squeue and for adopting jobs later.
    `--comment=${job.step}:${job.key.slice(0, 16)}`,
    `--output=${job.log}`,
    `--error=${job.log}`,
    `-D`,
    job.cwd,
    "--export=ALL",
    // A requeued job would run a second copy of the step under the same id; the next
    // `somflow run` resumes instead.
    "--no-requeue",
    "--ntasks=1",
    `--cpus-per-task=${r.cpus}`,
    `--mem=${formatMemory(r.memMiB)}`,
    `--time=${formatTime(r.timeMinutes)}`,
  ];
  if (r.gpus > 0) args.push(`--gres=gpu:${r.gpus}`);
  if (opts.partition) args.push(`--partition=${opts.partition}`);
  if (opts.account) args.push(`--account=${opts.account}`);
  args.push(...(opts.extra ?? []));
  args.push(job.script);
  return args;
}

/** `--parsable` prints "id" or "id;cluster". */
export function parseJobId(stdout: string): string | null {
  const first = stdout.trim().split(/\s+/)[0] ?? "";
  const id = first.split(";")[0]!;
  return /^\d+(_\d+)?$/.test(id) ? id : null;
}

export type JobFailure =
  | { kind: "memory"; message: string }
  | { kind: "time"; message: string }
  | { kind: "cancelled"; message: string }
  | { kind: "node"; message: string }
  | { kind: "failed"; message: string };

/**
 * Why a job that left no result record ended, from SLURM's state (when known) and the tail
 * of its log. The log is checked first: SLURM writes the precise cause there, while the state
 * of a finished job may already have been purged.
 */
export function classifyFailure(state: string | null, logTail: string, res: Resources): JobFailure {
  if (/exceeded memory limit|oom[-_ ]kill|Out Of Memory|OUT_OF_MEMORY/i.test(logTail) || state === "OUT_OF_MEMORY") {
    return {
      kind: "memory",
      message: `the job ran out of memory (limit ${formatMemory(res.memMiB)}): raise resources.mem for this step`,
    };
  }
  if (/DUE TO TIME LIMIT/.test(logTail) || state === "TIMEOUT") {
    return {
      kind: "time",
      message: `the job hit its time limit (${formatTime(res.timeMinutes)}): raise resources.time for this step`,
    };
  }
  if (/DUE TO NODE FAILURE/.test(logTail) || state === "NODE_FAIL" || state === "BOOT_FAIL") {
    return { kind: "node", message: "the job's node failed; run again to resume" };
  }
  if (/CANCELLED/.test(logTail) || state === "CANCELLED" || state === "PREEMPTED" || state === "DEADLINE") {
    return { kind: "cancelled", message: `the job was cancelled (${state ?? "scancel"}); run again to resume` };
  }
  return {
    kind: "failed",
    message: `the job ended${state ? ` in state ${state}` : ""} without a result; see its log`,
  };
}

/**
 * What a job that has not ended is waiting for, when that is not the queue: a launch failure
 * (SLURM requeued and held it because its node failed as the job started: it will never run
 * without an administrator) or a hold someone placed (it runs once released).
 */
export function pendingVerdict(state: string | null, reason: string): "launch-failed" | "held" | null {
  if (state === "REQUEUE_HOLD" || (state === "PENDING" && /launch failed/i.test(reason))) return "launch-failed";
  if (state === "PENDING" && /^JobHeld(User|Admin)$/.test(reason)) return "held";
  return null;
}
