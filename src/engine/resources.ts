/**
 * Per-step compute resources (`resources:` on a step in a pipeline file). The local executor
 * turns `cpus` into the step's thread count; the SLURM executor turns all of them into sbatch
 * options. Parsed once, when the pipeline loads, so a bad value is a validation error with
 * the key path and line, before anything is submitted.
 */
import { z } from "zod";

export interface Resources {
  /** CPU cores (threads) for the step. */
  readonly cpus: number;
  /** Memory in MiB. */
  readonly memMiB: number;
  /** Wall-time limit in whole minutes (SLURM's granularity). */
  readonly timeMinutes: number;
  /** GPUs (SLURM `--gres=gpu:N`). */
  readonly gpus: number;
}

/** Small enough to schedule on a 2-CPU node; a step asks for more in the pipeline file. */
export const DEFAULT_RESOURCES: Resources = { cpus: 1, memMiB: 2048, timeMinutes: 60, gpus: 0 };

const MEM = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i;
const UNIT_MIB: Record<string, number> = { K: 1 / 1024, "": 1, M: 1, G: 1024, T: 1024 * 1024 };

/** "16G", "500M", "1.5G", or a number of MiB → MiB (rounded up). */
export function parseMemory(text: string | number): number | null {
  if (typeof text === "number") return Number.isFinite(text) && text > 0 ? Math.ceil(text) : null;
  const m = MEM.exec(text.trim());
  if (!m) return null;
  const mib = Math.ceil(Number(m[1]) * UNIT_MIB[m[2]!.toUpperCase()]!);
  return mib > 0 ? mib : null;
}

const TIME = /^(?:(\d+)-)?(?:(\d+):)?(\d+)(?::(\d+))?$/;

/**
 * SLURM time formats → whole minutes, rounded up: "MM", "HH:MM:SS", "D-HH:MM:SS", "D-HH:MM",
 * "MM:SS"; or a number of minutes.
 */
export function parseTime(text: string | number): number | null {
  if (typeof text === "number") return Number.isInteger(text) && text > 0 ? text : null;
  const t = text.trim();
  const m = TIME.exec(t);
  if (!m) return null;
  const [, d, a, b, c] = m;
  const parts = [a, b, c].filter((x) => x !== undefined).map(Number);
  let seconds: number;
  if (d !== undefined) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    const [h = 0, mi = 0, s = 0] = parts;
    seconds = ((Number(d) * 24 + h) * 60 + mi) * 60 + s;
  } else if (parts.length === 1) seconds = parts[0]! * 60;
  else if (parts.length === 2) seconds = parts[0]! * 60 + parts[1]!;
  else seconds = (parts[0]! * 60 + parts[1]!) * 60 + parts[2]!;
  const minutes = Math.ceil(seconds / 60);
  return minutes > 0 ? minutes : null;
}

/** The schema of `resources:` as written in a pipeline file. */
export const resourcesSchema = z
  .strictObject({
    cpus: z.number().int().min(1).max(1024).optional(),
    mem: z
      .union([z.string(), z.number()])
      .optional()
      .refine((v) => v === undefined || parseMemory(v) !== null, {
        message: 'expected a memory size such as "500M", "16G" or a number of MiB',
      }),
    time: z
      .union([z.string(), z.number()])
      .optional()
      .refine((v) => v === undefined || parseTime(v) !== null, {
        message: 'expected a time limit such as "02:00:00", "1-00:00:00" or a number of minutes',
      }),
    gpus: z.number().int().min(0).max(64).optional(),
  })
  .optional();

export type ResourcesInput = z.infer<typeof resourcesSchema>;

/** Fills the defaults (the step type's own, then the engine's). */
export function resolveResources(input: ResourcesInput, stepDefaults: Partial<Resources> = {}): Resources {
  const base = { ...DEFAULT_RESOURCES, ...stepDefaults };
  return {
    cpus: input?.cpus ?? base.cpus,
    memMiB: input?.mem !== undefined ? parseMemory(input.mem)! : base.memMiB,
    timeMinutes: input?.time !== undefined ? parseTime(input.time)! : base.timeMinutes,
    gpus: input?.gpus ?? base.gpus,
  };
}

/** "HH:MM:SS" or "D-HH:MM:SS" for sbatch and for people. */
export function formatTime(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hms = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`;
  return d > 0 ? `${d}-${hms}` : hms;
}

export function formatMemory(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}
