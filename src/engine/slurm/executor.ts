/**
 * The coordinator's side of `--executor slurm`: each step that must run becomes one sbatch
 * job running `somflow run-step <spec>` against the shared store. Completion is read from the
 * job's result record (written atomically by the job), SLURM's state only explains a job
 * that ended without one. In-flight jobs are cancelled when the coordinator is interrupted.
 */
import { chmod, mkdir, open, readFile, stat, writeFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { formatMemory, type Resources } from "../resources.js";
import { SlurmClient, type NodeCapacity } from "./client.js";
import { jobPaths, readResult, type JobResultFile, type JobSpecFile } from "./job-files.js";
import { classifyFailure, pendingVerdict, sbatchArgs, type SubmitOptions } from "./sbatch.js";

export interface SlurmExecutorOptions extends SubmitOptions {
  storeRoot: string;
  /** How the job starts somflow: node and the bin, absolute. */
  command: readonly string[];
  cwd: string;
  /** Result-file poll interval (ms). */
  pollMs?: number;
  /** squeue poll interval (ms). */
  stateMs?: number;
  /** How long a job SLURM calls finished may take to show its result on a shared filesystem (ms). */
  graceMs?: number;
}

export interface RemoteRequest {
  runId: string;
  spec: Omit<JobSpecFile, "format" | "run_id" | "submitted_at">;
  resources: Resources;
  signal?: AbortSignal;
  onSubmitted?(jobId: string): void;
  /** Told once when someone holds the job (it waits until released). */
  onHeld?(jobId: string, reason: string): void;
}

export interface RemoteOutcome {
  result: JobResultFile | null;
  job_id: string;
  state: string | null;
  /** Why it failed when there is no result (the resource to raise, cancelled, node failure). */
  failure: string | null;
  log: string;
  queue_wait_s: number | null;
  node: string | null;
}

const TERMINAL = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "BOOT_FAIL",
  "PREEMPTED",
  "DEADLINE",
  "SPECIAL_EXIT",
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SlurmExecutor {
  private readonly live = new Set<string>();
  private capacity: NodeCapacity | null = null;

  private constructor(
    private readonly client: SlurmClient,
    private readonly o: SlurmExecutorOptions,
  ) {}

  /** Checks that SLURM answers before anything runs (exit 2 with what to install or start). */
  static async create(o: SlurmExecutorOptions, client = new SlurmClient()): Promise<SlurmExecutor> {
    await client.ensureAvailable();
    if (o.partition && !(await client.partitions()).includes(o.partition)) {
      const known = (await client.partitions()).join(", ") || "none";
      throw new UsageError(`--slurm-partition ${o.partition}: SLURM knows no such partition (sinfo lists: ${known})`);
    }
    const ex = new SlurmExecutor(client, o);
    ex.capacity = await client.capacity(o.partition);
    return ex;
  }

  /** A request larger than any node can never start: refuse it before submitting anything. */
  checkFits(step: string, r: Resources, where: string): void {
    const cap = this.capacity;
    if (!cap) return;
    const over: string[] = [];
    if (r.cpus > cap.cpus) over.push(`cpus ${r.cpus} > ${cap.cpus}`);
    if (r.memMiB > cap.memMiB) over.push(`mem ${formatMemory(r.memMiB)} > ${formatMemory(cap.memMiB)}`);
    if (r.gpus > cap.gpus) over.push(`gpus ${r.gpus} > ${cap.gpus}`);
    if (over.length > 0) {
      throw new UsageError(
        `${where}: step ${step} asks for more than the largest node${this.o.partition ? ` of partition ${this.o.partition}` : ""} has (${over.join(", ")}); lower steps.${step}.resources`,
      );
    }
  }

  async run(req: RemoteRequest): Promise<RemoteOutcome> {
    const p = jobPaths(this.o.storeRoot, req.runId, req.spec.step);
    await mkdir(p.dir, { recursive: true });
    const spec: JobSpecFile = { format: 1, run_id: req.runId, submitted_at: new Date().toISOString(), ...req.spec };
    await writeFile(p.spec, JSON.stringify(spec, null, 1));
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    await writeFile(p.script, `#!/bin/sh\nexec ${[...this.o.command, "run-step", p.spec].map(quote).join(" ")}\n`);
    await chmod(p.script, 0o755);
    // An old log of the same step in this run would be read as this job's.
    await writeFile(p.log, "");
    const args = sbatchArgs(
      { runId: req.runId, step: req.spec.step, key: req.spec.key, log: p.log, cwd: this.o.cwd, script: p.script, resources: req.resources },
      this.o,
    );
    const submitted = Date.now();
    const id = await this.client.submit(args);
    await writeFile(p.id, `${id}\n`);
    this.live.add(id);
    req.onSubmitted?.(id);
    try {
      return await this.wait(id, p.result, p.log, req, submitted);
    } finally {
      this.live.delete(id);
    }
  }

  private async wait(id: string, resultPath: string, log: string, req: RemoteRequest, submitted: number): Promise<RemoteOutcome> {
    const pollMs = this.o.pollMs ?? 500;
    const stateMs = this.o.stateMs ?? 3000;
    let lastState: string | null = null;
    let lastStateAt = 0;
    let goneSince: number | null = null;
    let heldTold = false;
    const outcome = (result: JobResultFile | null, failure: string | null): RemoteOutcome => ({
      result,
      job_id: id,
      state: lastState,
      failure,
      log,
      queue_wait_s: result ? Math.max(0, (Date.parse(result.started_at) - submitted) / 1000) : null,
      node: result?.host ?? null,
    });
    for (;;) {
      const result = await readResult(resultPath);
      if (result && result.key === req.spec.key) return outcome(result, null);
      if (req.signal?.aborted) {
        await this.client.cancel([id]);
        return outcome(null, "interrupted: the coordinator was stopped; its job was cancelled (scancel)");
      }
      if (Date.now() - lastStateAt >= stateMs) {
        lastStateAt = Date.now();
        const states = await this.client.states([id]);
        if (states) {
          const j = states.get(id) ?? null;
          if (j) lastState = j.state;
          const verdict = j ? pendingVerdict(j.state, j.reason) : null;
          if (verdict === "launch-failed") {
            // Left alone it would pend forever and so would this run. (A job whose node died just
            // after it committed is requeued the same way: its result stands.)
            await this.client.cancel([id]);
            const late = await readResult(resultPath);
            if (late && late.key === req.spec.key) return outcome(late, null);
            return outcome(
              null,
              `SLURM could not start the job on its node (${j!.reason || j!.state}): the node failed as the job launched; ` +
                `the job was cancelled; check the node (sinfo -R) and run again to resume (job ${id})`,
            );
          }
          if (verdict === "held" && !heldTold) {
            heldTold = true;
            req.onHeld?.(id, j!.reason);
          }
          const ended = j === null || TERMINAL.has(j.state);
          if (ended && goneSince === null) goneSince = Date.now();
          if (!ended) goneSince = null;
        }
      }
      // Finished in SLURM's eyes but no result yet: give a shared filesystem time to show it.
      if (goneSince !== null && Date.now() - goneSince >= (this.o.graceMs ?? 3000)) {
        const late = await readResult(resultPath);
        if (late && late.key === req.spec.key) return outcome(late, null);
        const tail = await logTail(log);
        const f = classifyFailure(lastState, tail, req.resources);
        return outcome(
          null,
          `${f.message} (job ${id}${lastState ? `, ${lastState}` : ""})${tail ? `\n--- last lines of ${log} ---\n${tail}` : ""}`,
        );
      }
      await sleep(pollMs);
    }
  }

  /** Cancels every job still in flight (Ctrl-C / SIGTERM of the coordinator). */
  async cancelAll(): Promise<void> {
    await this.client.cancel([...this.live]);
  }
}

/** The last lines of a job's log (at most 4 KB read). */
export async function logTail(path: string, lines = 12): Promise<string> {
  try {
    const size = (await stat(path)).size;
    const fh = await open(path, "r");
    try {
      const n = Math.min(size, 4096);
      const buf = Buffer.alloc(n);
      await fh.read(buf, 0, n, size - n);
      return buf.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } finally {
      await fh.close();
    }
  } catch {
    return "";
  }
}

export const readLog = (path: string) => readFile(path, "utf8").catch(() => "");
