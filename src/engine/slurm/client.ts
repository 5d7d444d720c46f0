/**
 * The SLURM commands somflow calls (sbatch, squeue, scancel, sinfo, scontrol), each with a
 * timeout, and what their failures mean for the user. All process spawning for SLURM is here.
 */
import { execFile } from "node:child_process";
import { UsageError } from "../errors.js";

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export type Exec = (cmd: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

export const execCommand: Exec = (cmd, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(cmd, [...args], { timeout: timeoutMs, maxBuffer: 16 << 20, env: slurmEnv() }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") {
        reject(err);
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });

/**
 * The environment for SLURM client commands: inherited SLURM_* job variables (set when the
 * coordinator itself runs inside a job) would leak into the jobs it submits, so only the
 * configuration pointer is kept.
 */
export function slurmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith("SLURM_") && k !== "SLURM_CONF") continue;
    out[k] = v;
  }
  return out;
}

export interface JobState {
  state: string;
  /** squeue's %r: why a job pends or is held ("None" when nothing is wrong). */
  reason: string;
}

export interface NodeCapacity {
  cpus: number;
  memMiB: number;
  gpus: number;
}

export class SlurmClient {
  constructor(private readonly exec: Exec = execCommand) {}

  /** Checks that the client tools exist and the controller answers; exit 2 with what to do. */
  async ensureAvailable(): Promise<void> {
    let r: CommandResult;
    try {
      r = await this.exec("sinfo", ["-h", "-o", "%P"], 15_000);
    } catch {
      throw new UsageError(
        "--executor slurm: the SLURM client commands (sbatch, squeue, sinfo) are not installed here; " +
          "run somflow on a cluster login node, or install SLURM (Debian: apt-get install slurm-client)",
      );
    }
    if (r.code !== 0) {
      throw new UsageError(
        `--executor slurm: the SLURM controller does not answer (sinfo: ${firstLine(r.stderr) || `exit ${r.code}`}); ` +
          "start slurmctld or check SLURM_CONF",
      );
    }
  }

  /** Partition names as sinfo lists them (the default one without its `*`). */
  async partitions(): Promise<string[]> {
    const r = await this.exec("sinfo", ["-h", "-o", "%P"], 15_000);
    return r.code === 0
      ? [
          ...new Set(
            r.stdout
              .split("\n")
              .map((p) => p.trim().replace(/\*$/, ""))
              .filter(Boolean),
          ),
        ]
      : [];
  }

  /** The largest node (cpus, memory, GPUs) per partition, for refusing impossible requests before submitting. */
  async capacity(partition?: string): Promise<NodeCapacity | null> {
    const args = ["-h", "-N", "-o", "%c|%m|%G|%P"];
    if (partition) args.push("-p", partition);
    const r = await this.exec("sinfo", args, 15_000);
    if (r.code !== 0 || !r.stdout.trim()) return null;
    let best: NodeCapacity | null = null;
    for (const line of r.stdout.trim().split("\n")) {
      const [c, m, g] = line.split("|");
      const gpus = /gpu(?::[^:,()]+)?:(\d+)/.exec(g ?? "")?.[1];
      const cap = { cpus: Number(c), memMiB: Number(m), gpus: gpus ? Number(gpus) : 0 };
      if (!best) best = cap;
      else best = { cpus: Math.max(best.cpus, cap.cpus), memMiB: Math.max(best.memMiB, cap.memMiB), gpus: Math.max(best.gpus, cap.gpus) };
    }
    return best;
  }

  /** Submits; returns the job id. SLURM's own message (unknown partition, ...) is passed on. */
  async submit(args: readonly string[]): Promise<string> {
    const r = await this.exec("sbatch", args, 60_000);
    const id = r.code === 0 ? /^(\d+)/.exec(r.stdout.trim())?.[1] : undefined;
    if (!id) {
      throw new UsageError(`sbatch refused the job: ${r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`}`);
    }
    return id;
  }

  /**
   * States (and SLURM's reason, e.g. "launch failed requeued held") of the given jobs still
   * known to the controller; finished jobs stay for MinJobAge.
   */
  async states(ids: readonly string[]): Promise<Map<string, JobState> | null> {
    const out = new Map<string, JobState>();
    if (ids.length === 0) return out;
    const r = await this.exec("squeue", ["-h", "--states=all", "-j", ids.join(","), "-o", "%i|%T|%r"], 30_000);
    // squeue exits 1 when none of the ids is known any more: that is an answer, not an error.
    if (r.code !== 0 && !/Invalid job id/i.test(r.stderr)) return null;
    for (const line of r.stdout.trim().split("\n")) {
      const [id, state, reason] = line.split("|");
      if (id && state) out.set(id, { state, reason: reason?.trim() || "" });
    }
    return out;
  }

  async cancel(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 100) {
      await this.exec("scancel", ids.slice(i, i + 100), 60_000).catch(() => undefined);
    }
  }
}

const firstLine = (s: string) => s.trim().split("\n")[0] ?? "";
