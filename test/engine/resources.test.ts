import { describe, expect, it } from "vitest";
import { formatMemory, formatTime, parseMemory, parseTime, resolveResources, resourcesSchema } from "../../src/engine/resources.js";

describe("resources", () => {
  it("parses memory sizes to MiB", () => {
    expect(parseMemory("500M")).toBe(500);
    expect(parseMemory("16G")).toBe(16384);
    expect(parseMemory("1.5G")).toBe(1536);
    expect(parseMemory("2GB")).toBe(2048);
    expect(parseMemory("1T")).toBe(1048576);
    expect(parseMemory(300)).toBe(300);
    expect(parseMemory("lots")).toBeNull();
    expect(parseMemory("-1G")).toBeNull();
    expect(parseMemory(0)).toBeNull();
  });

  it("parses SLURM time formats to whole minutes, rounding up", () => {
    expect(parseTime("02:00:00")).toBe(120);
    expect(parseTime("1-00:00:00")).toBe(1440);
    expect(parseTime("1-02:30")).toBe(1590);
    expect(parseTime("45")).toBe(45);
    expect(parseTime("10:30")).toBe(11); // MM:SS
    expect(parseTime("00:00:01")).toBe(1);
    expect(parseTime(90)).toBe(90);
    expect(parseTime("soon")).toBeNull();
    expect(parseTime(1.5)).toBeNull();
    expect(parseTime("00:00:00")).toBeNull();
  });

  it("formats for sbatch", () => {
    expect(formatTime(120)).toBe("02:00:00");
    expect(formatTime(1590)).toBe("1-02:30:00");
    expect(formatMemory(16384)).toBe("16G");
    expect(formatMemory(500)).toBe("500M");
  });

  it("fills defaults: the step type's, then the engine's", () => {
    expect(resolveResources(undefined)).toEqual({ cpus: 1, memMiB: 2048, timeMinutes: 60, gpus: 0 });
    expect(resolveResources({ mem: "4G" }, { cpus: 2 })).toEqual({ cpus: 2, memMiB: 4096, timeMinutes: 60, gpus: 0 });
    expect(resolveResources({ cpus: 8, time: "02:00:00", gpus: 1 })).toEqual({ cpus: 8, memMiB: 2048, timeMinutes: 120, gpus: 1 });
  });

  it("rejects bad values with a message that says what to write", () => {
    const bad = resourcesSchema.safeParse({ mem: "lots", cpus: 0, colour: "red" });
    expect(bad.success).toBe(false);
    const text = JSON.stringify(bad.error!.issues);
    expect(text).toContain("16G");
    expect(text).toContain("colour");
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["mem", "cpus"]));
  });
});
