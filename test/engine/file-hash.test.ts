/** Input files must be regular files (or folders of them): a FIFO or a device would hang the hasher. */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, FIXTURE_STEPS } from "../cli/helpers.js";

const pipelineReading = async (dir: string, path: string) => {
  const file = join(dir, "read.yaml");
  await writeFile(file, `name: r\nsteps:\n  r:\n    uses: test.read\n    with:\n      path: ${path}\n`);
  return file;
};

describe("input files that are not regular files", () => {
  it.each(["run", "plan"])(
    "%s: a FIFO named as `path` is refused at once (exit 2, option and path named), nothing written",
    async (cmd) => {
      const dir = await mkdtemp(join(tmpdir(), "somflow-fifo-"));
      const fifo = join(dir, "pipe");
      execFileSync("mkfifo", [fifo]);
      const store = join(dir, "s");
      const r = await cli([cmd, await pipelineReading(dir, fifo), "--steps", FIXTURE_STEPS, "--store", store]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`steps.r.with.path: ${fifo} is a FIFO (named pipe); only regular files and folders of them can be read`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
      expect(existsSync(store)).toBe(false);
    },
    30_000,
  );

  it.each(["run", "plan"])(
    "%s: /dev/zero is refused (a character device)",
    async (cmd) => {
      const dir = await mkdtemp(join(tmpdir(), "somflow-dev-"));
      const r = await cli([cmd, await pipelineReading(dir, "/dev/zero"), "--steps", FIXTURE_STEPS, "--store", join(dir, "s")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("steps.r.with.path: /dev/zero is a character device");
    },
    30_000,
  );

  it("a FIFO inside an input folder is named with the folder's option", async () => {
    const dir = await mkdtemp(join(tmpdir(), "somflow-fifo-dir-"));
    const data = join(dir, "data");
    await mkdir(data);
    await writeFile(join(data, "a.txt"), "x");
    execFileSync("mkfifo", [join(data, "b.pipe")]);
    const r = await cli(["run", await pipelineReading(dir, data), "--steps", FIXTURE_STEPS, "--store", join(dir, "s")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`steps.r.with.path: ${join(data, "b.pipe")} (inside ${data}) is a FIFO`);
  }, 30_000);
});
