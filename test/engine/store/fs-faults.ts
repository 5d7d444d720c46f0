/** Making a folder read-only for a test, as root (a read-only bind mount: root ignores chmod) or not (chmod). */
import { execFileSync, spawnSync } from "node:child_process";
import { chmod } from "node:fs/promises";

export async function makeReadOnly(dir: string): Promise<() => Promise<void>> {
  if (process.getuid?.() === 0) {
    execFileSync("mount", ["--bind", dir, dir]);
    execFileSync("mount", ["-o", "remount,bind,ro", dir]);
    return async () => void execFileSync("umount", [dir]);
  }
  await chmod(dir, 0o555);
  return () => chmod(dir, 0o755);
}

/** A pid that surely names no process here: a child that has exited. */
export const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;
