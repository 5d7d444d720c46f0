/** The human form of `somflow metrics`, and `export --help` listing the run's tables. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatMetricsTable, sortMetricRows } from "../../src/cli/commands/metrics.js";
import type { MetricRow } from "../../src/contracts/metrics.js";
import { cli, FIXTURE_STEPS } from "./helpers.js";
import { writeFile } from "node:fs/promises";

const row = (p: Partial<MetricRow>): MetricRow =>
  ({
    step: "cnn-c",
    model: "cnn",
    target: "c",
    split: "test",
    scale: "gkg",
    group: "all",
    n: 106,
    r2: 0.9123456,
    rmse: 12.3456789,
    mae: 6.54321,
    bias: -0.123456,
    rpiq: 1.987654,
    rpd: 3.1,
    ccc: 0.95,
    pi_level: 0.9,
    pi_coverage: 0.8867924,
    pi_width: 40.1,
    ...p,
  }) as MetricRow;

describe("somflow metrics (human form)", () => {
  const rows = [
    row({ target: "om", split: "test", step: "cnn-om" }),
    row({ split: "train", n: 2000 }),
    row({ split: "test", scale: "log1p", rmse: 0.21 }),
    row({ split: "test", group: "depth=100-200" }),
    row({ split: "test", group: "depth=30-100" }),
    row({ split: "test", group: "depth=0-30" }),
    row({ split: "missing-truth", step: "impute", model: "impute-truth" }),
    row({ split: "test" }),
  ];

  it("sorts by target, scale, split (test first), then groups with depth bands in numeric order", () => {
    const s = sortMetricRows(rows).map((r) => `${r.target} ${r.scale} ${r.split} ${r.group}`);
    expect(s).toEqual([
      "c gkg test all",
      "c gkg test depth=0-30",
      "c gkg test depth=30-100",
      "c gkg test depth=100-200",
      "c gkg missing-truth all",
      "c gkg train all",
      "c log1p test all",
      "om gkg test all",
    ]);
  });

  it("prints n as an integer, units in the header, rounded numbers and the published reference row", () => {
    const lines = formatMetricsTable(rows);
    const text = lines.join("\n");
    expect(text).toContain("RMSE g/kg");
    expect(text).toContain("RMSE ln(1+g/kg)");
    expect(text).not.toMatch(/106\.0|0\.9123456|12\.3456789/);
    expect(text).toMatch(/cnn-c\s+cnn\s+test\s+all\s+106\s+0\.912\s+12\.35\s+6\.543/);
    expect(lines.filter((l) => l.startsWith("published study (reference)"))).toHaveLength(2); // c and om g/kg blocks
    expect(text).toMatch(/published study \(reference\)\s+test\s+all\s+0\.960\s+15\.41/);
    expect(text).toContain("0.887 (90 %)");
    // the c g/kg block lists test rows before train
    expect(text.indexOf(" test ")).toBeLessThan(text.indexOf(" train "));
  });

  it("filters by split and target", () => {
    const text = formatMetricsTable(
      rows.filter((r) => r.split === "missing-truth"),
      { split: "missing-truth" },
    ).join("\n");
    expect(text).toContain("impute-truth");
    expect(text).not.toContain("published study"); // the study's values are test-split values
    expect(
      formatMetricsTable(
        rows.filter((r) => r.target === "om"),
        { target: "om" },
      ).join("\n"),
    ).not.toContain("c (organic carbon)");
  });
});

describe("somflow export --help", () => {
  it("lists the tables of the run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "somflow-export-help-"));
    await writeFile(join(dir, "p.yaml"), "name: e\nsteps:\n  m:\n    uses: test.mixed\n");
    const store = join(dir, "store");
    const run = await cli(["run", join(dir, "p.yaml"), "--store", store, "--steps", FIXTURE_STEPS]);
    expect(run.code, run.stderr).toBe(0);
    const help = await cli(["export", "--help", "--store", store]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--layout long\|wide/);
    expect(help.stdout).toMatch(/Tables of run \S+ \(e\):\n\s+mixed\s+step m \(test\.mixed\)/);
    const wide = await cli(["export", "mixed", "--layout", "wide", "--out", join(dir, "x.csv"), "--store", store]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toMatch(/no table "mixed_wide"/);
  }, 60_000);
});
