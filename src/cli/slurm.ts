/** `--executor slurm` and its flags, shared by `run` and `plan`. */
import { join } from "node:path";
import { UsageError } from "../engine/errors.js";
import { projectRoot } from "../engine/source-hash.js";
import type { SlurmExecutor } from "../engine/slurm/executor.js";

export const executorOptions = {
  executor: { type: "string" },
  "slurm-partition": { type: "string" },
  "slurm-account": { type: "string" },
  "slurm-arg": { type: "string", multiple: true },
} as const;

export interface ExecutorValues {
  executor?: string;
  "slurm-partition"?: string;
  "slurm-account"?: string;
  "slurm-arg"?: string[];
}

export function executorKind(values: ExecutorValues): "local" | "slurm" {
  const kind = values.executor ?? "local";
  if (kind !== "local" && kind !== "slurm") throw new UsageError(`--executor ${kind}: expected local or slurm`);
  if (kind === "local" && (values["slurm-partition"] || values["slurm-account"] || values["slurm-arg"]?.length)) {
    throw new UsageError("--slurm-* options need --executor slurm");
  }
  return kind;
}

/** The SLURM executor for a run (exit 2 when SLURM is missing or its controller is down). */
export async function slurmExecutor(values: ExecutorValues, storeRoot: string): Promise<SlurmExecutor> {
  // Imported here: a local run (and its no-op rerun) never loads the executor or zod.
  const { SlurmExecutor } = await import("../engine/slurm/executor.js");
  return SlurmExecutor.create({
    storeRoot,
    command: [process.execPath, join(projectRoot(), "bin", "somflow.mjs")],
    cwd: process.cwd(),
    partition: values["slurm-partition"],
    account: values["slurm-account"],
    extra: values["slurm-arg"] ?? [],
    pollMs: envMs("SOMFLOW_SLURM_POLL_MS"),
    stateMs: envMs("SOMFLOW_SLURM_STATE_MS"),
  });
}

function envMs(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name}=${v}: expected milliseconds > 0`);
  return n;
}
