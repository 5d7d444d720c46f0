import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDuck } from "../../src/report/duck.js";
import { harmonizationData } from "../../src/report/harmonization.js";
import { imputationData, parseGridKey } from "../../src/report/imputation.js";
import { pageData, PAGE_JSON_BUDGET } from "../../src/report/loader-main.js";
import { MAX_FLAGGED_POINTS, metricsData } from "../../src/report/metrics.js";
import { layoutDag, overviewData } from "../../src/report/overview.js";
import { readRunManifest } from "../../src/report/static-run-view.js";
import { isAbsent } from "../../src/report/tables.js";
import { writeFixtureRun } from "./fixture.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "somflow-report-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("report data from a small run", () => {
  it("fills every page from the artifacts", async () => {
    const view = await readRunManifest(await writeFixtureRun(join(dir, "small"), { n: 600, previous: true }));
    await withDuck(async (conn) => {
      const o = await overviewData(view, conn);
      expect(o.run.run_id).toBe("run-fixture");
      expect(o.counts).toEqual({ ran: 7, cached: 2, failed: 0, skipped: 0 });
      expect(o.backends).toEqual(["wasm"]);
      expect(o.seeds).toContain("42");
      expect(o.dag.edges).toHaveLength(12);
      expect(o.dag.nodes.find((n) => n.name === "impute")?.layer).toBe(6);
      if (isAbsent(o.sources)) throw new Error(o.sources.absent);
      expect(o.sources.rows).toHaveLength(5);
      expect(o.sources.rows.reduce((s, r) => s + Number(r["n_ingested"]), 0)).toBe(600);
      expect(o.sources.rows.reduce((s, r) => s + Number(r["n_flagged"]), 0)).toBe(7);

      const m = await metricsData(view, conn);
      if (isAbsent(m.overall) || isAbsent(m.predictions) || isAbsent(m.history) || isAbsent(m.calibration) || isAbsent(m.groups))
        throw new Error("absent");
      expect(m.overall.length).toBe(6); // 3 steps × (test, cal)
      const cTest = m.overall.find((r) => r["step"] === "cnn-c" && r["split"] === "test")!;
      expect(cTest["r2"]).toBeGreaterThan(0.5);
      expect(typeof cTest["d_rmse"]).toBe("number"); // previous run read through openPrevious
      expect(m.previousRun).toBe("run-fixture-prev");
      expect(m.groups.some((g) => g["kind"] === "source" && g["key"] === "kssl")).toBe(true);
      expect(m.predictions.every((p) => p.points !== null && p.bins === null)).toBe(true);
      expect(m.history.some((h) => h["metric"] === "val_loss")).toBe(true);
      // 2 CNN steps × (5 rescaled levels + reported + resplit)
      expect(m.calibration).toHaveLength(14);
      const rs = m.calibration.find((c) => c["method"] === "resplit")!;
      expect([rs["p05"], rs["empirical"], rs["p95"]]).toEqual([0.85, 0.905, 0.95]);
      expect(m.reference.values.find((r) => r.target === "c")?.rmse).toBe(15.41);

      const h = await harmonizationData(view, conn);
      if (
        isAbsent(h.meanSpectra) ||
        isAbsent(h.pca) ||
        isAbsent(h.qc) ||
        isAbsent(h.targets) ||
        isAbsent(h.qcSummary) ||
        isAbsent(h.distances)
      )
        throw new Error("absent");
      expect(h.meanSpectra.every).toBe(6); // 1701 wavenumbers → ≤ 300 points
      expect(new Set(h.meanSpectra.rows.map((r) => r["stage"]))).toEqual(new Set(["before", "after"]));
      expect(h.pca.total).toBe(1200);
      expect(h.qc.t2_limit).toBe(25);
      expect(h.qc.rows.filter((r) => r["flags"] !== null).length).toBeGreaterThan(0);
      // per-sample limits (0.1 in the fixture): Q is plotted relative to its own limit, line at 1
      expect(h.qc.q_relative).toBe(true);
      expect(h.qc.q_limit).toBe(1);
      const flaggedQ = h.qc.rows.filter((r) => r["flags"] === "q_residual").map((r) => r["q"] as number);
      expect(Math.min(...flaggedQ)).toBeGreaterThan(2); // q ≥ 0.21 against 0.1
      expect(Math.max(...h.qc.rows.filter((r) => r["flags"] === null).map((r) => r["q"] as number))).toBeLessThan(0.31);
      expect(h.targets.summary.some((r) => r["stage"] === "reported")).toBe(true);
      expect(h.distances).toHaveLength(5);

      const i = await imputationData(view, conn, [{ name: "hybrid.parquet", bytes: 10 }]);
      if (isAbsent(i.coverage) || isAbsent(i.totals) || isAbsent(i.grid) || isAbsent(i.widths) || isAbsent(i.pairs))
        throw new Error("absent");
      expect(i.totals).toHaveLength(2);
      const tot = i.totals[0]!;
      expect(Number(tot["n_measured"]) + Number(tot["n_predicted"]) + Number(tot["n_rejected"])).toBe(600);
      expect(i.grid.cell_deg).toBe(10);
      expect(i.grid.unparsed).toBe(0);
      // the map's tooltip names a cell by its span, not its key
      const cell = i.grid.cells.find((c) => c.lat === -10 && c.lon === -50);
      expect(cell?.name).toBe("10°S–0°, 50°W–40°W");
      expect(i.widths.histogram.length).toBeGreaterThan(0);
      expect(i.pairs.total).toBe(50);
      // set-aside measured values: their own table, not among the coverage breakdowns
      if (isAbsent(i.setAside)) throw new Error(i.setAside.absent);
      expect(i.setAside.map((r) => `${r["target"]} ${r["code"]}`).sort()).toEqual([
        "c c_negative",
        "c duplicate_id",
        "om duplicate_id",
        "om om_negative",
      ]);
      expect(i.coverage.some((r) => r["breakdown"] === "set_aside")).toBe(false);
      // imputed values against the fixture's truth (predicted rows only)
      if (isAbsent(i.truth)) throw new Error(i.truth.absent);
      expect(new Set(i.truth.rows.map((r) => r["target"]))).toEqual(new Set(["c", "om"]));
      expect(i.truth.total).toBeGreaterThan(0);
      expect(i.truth.total).toBeLessThan(2 * 600 * 0.5);
      // interval widths of the imputed rows only
      const nWidths = i.widths.summary.reduce((a, r) => a + Number(r["n"]), 0);
      expect(nWidths).toBeLessThan(2 * 600 * 0.5);

      // the headline: the data set's nature from the run's steps, the chosen model per target beside the study
      const hl = o.headline;
      expect(hl.kind).toBe("synthetic");
      expect(hl.data).toMatch(
        /^Synthetic demo library, n = 600 samples from 5 simulated sources, known ground truth \(step ingest: synth\.library\)/,
      );
      expect(hl.rows.map((r) => `${r.target} ${r.step} ${r.chosen}`)).toEqual([
        "c cnn-c used by the hybrid dataset",
        "c published study (reference) reference",
        "om cnn-om used by the hybrid dataset",
        "om published study (reference) reference",
      ]);
      const cRow = hl.rows[0]!;
      expect(cRow.n).toBe(Number(cTest["n"]));
      expect(cRow.rmse).toBe(cTest["rmse"]);
      expect(hl.splits.map((x) => x.split)).toEqual(["test", "cal"]);
      // the reference rows said plainly to be the study's own reported test-set values
      expect(hl.study).toMatch(/^Published study: ~57,000 soil samples .*; test-set values as reported/);
    });
  });

  it("marks absent tables instead of failing", async () => {
    const view = await readRunManifest(
      await writeFixtureRun(join(dir, "partial"), {
        n: 200,
        omit: ["coverage", "pca_scores", "history", "calibration", "hybrid", "mean_spectra"],
      }),
    );
    await withDuck(async (conn) => {
      const m = await metricsData(view, conn);
      expect(isAbsent(m.history) && m.history.absent).toMatch(/history/);
      expect(m.previousNote).toMatch(/No previous run/);
      const h = await harmonizationData(view, conn);
      expect(isAbsent(h.pca)).toBe(true);
      expect(isAbsent(h.meanSpectra)).toBe(true);
      const i = await imputationData(view, conn);
      expect(isAbsent(i.coverage) && isAbsent(i.grid) && isAbsent(i.widths)).toBe(true);
    });
  });

  it("parses grid keys", () => {
    expect(parseGridKey("lat=-10;lon=20")).toEqual({ lat: -10, lon: 20 });
    expect(parseGridKey("-12.5,30")).toEqual({ lat: -12.5, lon: 30 });
    expect(parseGridKey("somewhere")).toBeNull();
    expect(
      layoutDag([
        { name: "a", needs: [] },
        { name: "b", needs: ["a"] },
        { name: "c", needs: ["a"] },
      ]).get("c"),
    ).toEqual({ layer: 1, row: 1 });
  });
});

describe("report data at study scale", () => {
  it("keeps every page's JSON under 2 MB with 57,000 samples", async () => {
    const view = await readRunManifest(await writeFixtureRun(join(dir, "big"), { n: 57_000 }));
    const sizes: Record<string, number> = {};
    await withDuck(async (conn) => {
      for (const page of ["overview", "metrics", "harmonization", "imputation"] as const) {
        const data = await pageData(page, view, conn, {});
        sizes[page] = JSON.stringify(data).length;
        if (page === "metrics") {
          const m = data as Awaited<ReturnType<typeof metricsData>>;
          if (isAbsent(m.predictions)) throw new Error("absent");
          const big = m.predictions.find((p) => p.split === "train")!;
          expect(big.points).toBeNull();
          expect(big.bins!.reduce((s, b) => s + b.n, 0)).toBe(big.n);
          expect(big.residualBins!.reduce((s, b) => s + b.n, 0)).toBe(big.n);
          // binned panels still list their QC-flagged samples, drawn over the bins
          expect(big.n_flagged).toBeGreaterThan(0);
          expect(big.flagged).toHaveLength(Math.min(big.n_flagged!, MAX_FLAGGED_POINTS));
        }
      }
    });
    for (const [page, size] of Object.entries(sizes)) expect(size, page).toBeLessThan(PAGE_JSON_BUDGET);
    console.log("page JSON bytes at 57k samples:", sizes);
  }, 120_000);
});

describe("grid cell names", () => {
  it("names a cell by its lat/lon span", async () => {
    const { cellName } = await import("../../src/report/imputation.js");
    expect(cellName("-10,-50")).toBe("10°S–0°, 50°W–40°W");
    expect(cellName("40,170")).toBe("40°N–50°N, 170°E–180°");
    expect(cellName("unknown")).toBe("unknown");
  });
});
