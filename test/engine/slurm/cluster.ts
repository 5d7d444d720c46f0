/**
 * The SLURM tests run against a real one-node cluster (test/slurm/cluster.sh start; .ci/run
 * starts it). Without one they skip with a message — and fail under CI=true.
 */
import { execFileSync } from "node:child_process";
import { describe, it } from "vitest";

export function clusterUp(): boolean {
  if (!process.env.SLURM_CONF) return false;
  try {
    return execFileSync("sinfo", ["-h", "-o", "%T"], { timeout: 15_000 }).toString().trim().length > 0;
  } catch {
    return false;
  }
}

export function describeWithSlurm(name: string, fn: () => void): void {
  if (clusterUp()) {
    describe(name, fn);
    return;
  }
  const why = process.env.SLURM_CONF
    ? `SLURM_CONF=${process.env.SLURM_CONF} is set but sinfo does not answer`
    : 'no SLURM cluster (start one: eval "$(bash test/slurm/cluster.sh start)", needs root)';
  if (process.env.CI === "true") throw new Error(`CI=true but the SLURM tests cannot run: ${why}`);
  console.warn(`[skip] "${name}": ${why}`);
  describe.skip(name, () => it.skip(why, () => {}));
}
