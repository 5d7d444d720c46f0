/**
 * Builds the report from a fixture run, serves it on 127.0.0.1 with a plain static server (no
 * URL rewriting) and, in Debian's chromium (playwright-core) at 1280 px, opens the first page
 * and reaches every other by CLICKING its sidebar link: no console error, no failed or
 * non-local request, every chart with marks, no two text boxes of a chart overlapping, no
 * table wider than the page, no edge of the step graph through a label, a land basemap under
 * the imputation maps, QC-flagged samples marked in observed vs predicted. Screenshots of every
 * page go to test-output/screenshots/ for a person to look at. Opened from disk (file://), the
 * report says how to serve it.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport, REPO_ROOT, type BuildReportResult } from "../../src/report/build.js";
import { writeFixtureRun } from "../report/fixture.js";
import { serveDir } from "./serve.js";
// @ts-expect-error the report's browser module is plain JavaScript without types
import { formatNumber } from "../../reports/src/components/table.js";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const SHOTS = join(REPO_ROOT, "test-output", "screenshots");
/** Sidebar order; `link` is the sidebar text. */
const PAGES = [
  { link: "Overview", name: "overview", minCharts: 2 },
  { link: "Model metrics", name: "metrics", minCharts: 15 },
  { link: "Harmonization", name: "harmonization", minCharts: 10 },
  { link: "Imputation coverage", name: "imputation", minCharts: 9 },
];
const VIEWPORT = { width: 1280, height: 900 };

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env["CI"] === "true") {
  throw new Error(`CI=true but ${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) for the browser test.`);
}
if (!haveChromium) console.warn(`[skip] report browser test: ${CHROMIUM} not found (apt-get install -y chromium).`);

// Browser-side code as strings (the project's tsconfig has no DOM types).
/** Settled: no pending inline expression, every chart rendered (or failed), and the number of
 * charts unchanged over a few polls (cells run after the data arrives). */
const SETTLED = `(() => {
  const charts = [...document.querySelectorAll(".chart")];
  const done = document.querySelector("#observablehq-main observablehq-loading") === null &&
    charts.every((d) => d.dataset.rendered || d.dataset.error);
  window.__sfStable = done && window.__sfCount === charts.length ? (window.__sfStable ?? 0) + 1 : 0;
  window.__sfCount = charts.length;
  return window.__sfStable >= 4;
})()`;
/** Charts, charts without marks (Vega SVG mark groups hold paths/lines/text), notes, cell errors. */
const INSPECT = `(() => {
  const charts = [...document.querySelectorAll(".chart")];
  return {
    charts: charts.length,
    emptyCharts: charts
      .filter((c) => c.dataset.error || c.querySelectorAll(".role-mark > path, .role-mark > line, .role-mark > text, canvas").length === 0)
      .map((c) => c.dataset.chart + (c.dataset.error ? ": " + c.dataset.error : "")),
    absentNotes: document.querySelectorAll(".absent").length,
    // reference lines (limits, zero lines) drawn per chart: a rule layer without data draws nothing
    rules: Object.fromEntries(charts.map((c) => [c.dataset.chart, c.querySelectorAll(".mark-rule.role-mark > line, .mark-rule.role-mark > path").length])),
    // Framework shows a failing cell (syntax or runtime error) inline, not on the console
    cellErrors: [...document.querySelectorAll(".observablehq--error")].map((e) => e.textContent ?? ""),
    // visible text boxes of one chart that overlap (more than 1.5 px each way)
    overlaps: charts.flatMap((c) => {
      const boxes = [...c.querySelectorAll("svg text")]
        .filter((t) => (t.textContent ?? "").trim() !== "" && [t, ...ancestors(t, c)].every((e) => getComputedStyle(e).opacity !== "0" && getComputedStyle(e).visibility !== "hidden"))
        .map((t) => ({ text: t.textContent.trim(), r: t.getBoundingClientRect() }))
        .filter((b) => b.r.width > 0 && b.r.height > 0);
      const out = [];
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1.5) {
          out.push(c.dataset.chart + ": " + JSON.stringify(boxes[i].text) + " × " + JSON.stringify(boxes[j].text));
        }
      }
      return out;
    }),
    // tables (and their scrolling wrappers) wider than the page, and the page's own overflow
    wideTables: [...document.querySelectorAll("table")]
      .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1 || t.scrollWidth > (t.parentElement?.clientWidth ?? Infinity) + 1)
      .map((t) => (t.querySelector("th")?.textContent ?? "?") + " … " + Math.round(t.scrollWidth) + " px"),
    pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    // imputation maps: the basemap's land path (Natural Earth, from node_modules) under the cells
    maps: charts.filter((c) => (c.dataset.chart ?? "").startsWith("grid-")).map((c) => ({
      chart: c.dataset.chart,
      land: [...c.querySelectorAll(".land_marks path")].filter((p) => (p.getAttribute("d") ?? "").length > 500).length,
      cells: c.querySelectorAll(".cells_marks path").length,
    })),
    landRequests: performance.getEntriesByType("resource").map((e) => e.name).filter((n) => /land-110m\\.json$/.test(n)),
    // observed vs predicted and residual panels: marks and legend entry of the QC-flagged samples
    flagMarks: Object.fromEntries(charts.filter((c) => /^(ovp|res)-/.test(c.dataset.chart ?? "")).map((c) => [c.dataset.chart, {
      marks: c.querySelectorAll('.role-mark path[aria-label*="QC-flagged"]').length,
      legend: [...c.querySelectorAll("svg text")].some((t) => /^QC-flagged \\(\\d/.test(t.textContent ?? "")),
    }])),
    // the step graph: points sampled every 2 px along each edge, none inside a text box
    dagEdges: (() => {
      const c = document.querySelector('.chart[data-chart="dag"]');
      if (!c) return null;
      const paths = [...c.querySelectorAll(".mark-line.role-mark path")];
      const labels = [...c.querySelectorAll("svg text")]
        .filter((t) => (t.textContent ?? "").trim() !== "")
        .map((t) => ({ text: t.textContent.trim(), r: t.getBoundingClientRect() }));
      let samples = 0;
      const crossings = new Set();
      for (const p of paths) {
        const m = p.getScreenCTM();
        const length = p.getTotalLength();
        for (let s = 0; s <= length; s += 2) {
          const q = p.getPointAtLength(s);
          const pt = new DOMPoint(q.x, q.y).matrixTransform(m);
          samples++;
          for (const b of labels) {
            if (pt.x > b.r.left + 0.5 && pt.x < b.r.right - 0.5 && pt.y > b.r.top + 0.5 && pt.y < b.r.bottom - 0.5) crossings.add(b.text);
          }
        }
      }
      return { paths: paths.length, samples, labels: labels.length, crossings: [...crossings] };
    })(),
  };
  function ancestors(e, stop) {
    const out = [];
    for (let p = e.parentElement; p && p !== stop; p = p.parentElement) out.push(p);
    return out;
  }
})()`;

interface PageReport {
  errors: string[];
  overlaps: string[];
  wideTables: string[];
  pageOverflow: number;
  charts: number;
  emptyCharts: string[];
  absentNotes: number;
  /** Rendered rule marks per chart name. */
  rules: Record<string, number>;
  /** Imputation maps: land paths (basemap) and grid-cell marks per map. */
  maps: { chart: string; land: number; cells: number }[];
  /** URLs of the basemap the page fetched. */
  landRequests: string[];
  /** Per observed-vs-predicted or residual chart: QC-flagged marks and whether the legend names them. */
  flagMarks: Record<string, { marks: number; legend: boolean }>;
  /** The step graph's edges: paths, points sampled, labels, and the labels an edge passes through. */
  dagEdges: { paths: number; samples: number; labels: number; crossings: string[] } | null;
  /** Overview only: the step column after sorting the steps table by seconds, descending. */
  sortedSteps?: string[];
}

describe.skipIf(!haveChromium)("report in a browser", () => {
  let dir: string;
  let full: BuildReportResult;
  let buildSeconds: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "somflow-report-browser-"));
    const manifest = await writeFixtureRun(join(dir, "run"), { n: 20_000, previous: true });
    const hybrid = join(dir, "hybrid.csv");
    await writeFile(hybrid, "sample_id,target,value\nS000001,c,12.5\n");
    full = await buildReport({ output: join(dir, "site"), env: { SOMFLOW_RUN_MANIFEST: manifest }, downloads: [hybrid] });
    buildSeconds = [full.seconds];
    await mkdir(SHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function visitAll(site: string, shotPrefix: string): Promise<Map<string, PageReport>> {
    const { chromium } = await import("playwright-core");
    const server = await serveDir(site);
    const profile = await mkdtemp(join(tmpdir(), "somflow-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const reports = new Map<string, PageReport>();
    const page = await context.newPage();
    let errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (!["data:", "blob:"].includes(u.protocol) && u.hostname !== "127.0.0.1") errors.push(`non-local request: ${r.url()}`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    try {
      // the server's root, as a reader opens it; every other page through its sidebar link
      await page.goto(server.url + "/", { waitUntil: "networkidle" });
      for (const p of PAGES) {
        if (p !== PAGES[0]) {
          const link = page.locator("#observablehq-sidebar li.observablehq-link a", { hasText: new RegExp(`^${p.link}$`) });
          expect(await link.count(), `sidebar link "${p.link}"`).toBe(1);
          const before = page.url();
          await Promise.all([page.waitForURL((u) => u.toString() !== before), link.click()]);
          await page.waitForLoadState("networkidle");
        }
        expect(await page.title(), page.url()).toMatch(new RegExp(`^${p.link}\\b`));
        // settled: no pending inline expression, every chart rendered (or failed), and the
        // number of charts unchanged over a few polls (cells run after the data arrives)
        await page.waitForFunction(SETTLED, undefined, { timeout: 30_000, polling: 150 });
        const result = (await page.evaluate(INSPECT)) as PageReport & { cellErrors: string[] };
        await page.screenshot({ path: join(SHOTS, `${shotPrefix}${p.name}.png`), fullPage: true });
        await page.screenshot({ path: join(SHOTS, `${shotPrefix}${p.name}-first-screen.png`) });
        let sortedSteps: string[] | undefined;
        if (p.name === "overview") {
          // the sortable table: two clicks on "seconds" sort descending
          const header = page.locator("table#steps-table th", { hasText: /^seconds$/ }).first();
          await header.click();
          await header.click();
          sortedSteps = await page.locator("table#steps-table tbody tr td:first-child").allTextContents();
        }
        const { cellErrors, ...rest } = result;
        reports.set(p.name, {
          ...rest,
          ...(sortedSteps ? { sortedSteps } : {}),
          errors: [...errors, ...cellErrors.map((e) => `cell error: ${e}`)],
        });
        errors = [];
      }
    } finally {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    }
    return reports;
  }

  /** Every page is sound: no errors, charts with marks, no overlapping text, tables that fit. */
  function expectSound(reports: Map<string, PageReport>, minCharts = (p: (typeof PAGES)[number]) => p.minCharts) {
    for (const p of PAGES) {
      const r = reports.get(p.name)!;
      expect(r.errors, p.name).toEqual([]);
      expect(r.emptyCharts, p.name).toEqual([]);
      expect(r.charts, p.name).toBeGreaterThanOrEqual(minCharts(p));
      expect(r.overlaps, p.name).toEqual([]);
      expect(r.wideTables, p.name).toEqual([]);
      expect(r.pageOverflow, `${p.name}: horizontal scrolling at ${VIEWPORT.width} px`).toBeLessThanOrEqual(0);
    }
  }

  it("renders every page of a full run without errors or outside requests", async () => {
    const reports = await visitAll(full.output, "");
    expectSound(reports);
    expect(reports.get("overview")!.sortedSteps?.slice(0, 2)).toEqual(["cnn-c", "cnn-om"]);
    // the QC scatter's T² and Q limits
    expect(reports.get("harmonization")!.rules["qc-scatter"]).toBe(2);
    // one 5–95 % re-split bar per CNN step and target in the fixture
    expect(reports.get("metrics")!.rules["coverage-resplit"]).toBeGreaterThanOrEqual(2);
    // the full fixture has every table but no previous-run gaps and no missing downloads
    expect(reports.get("metrics")!.absentNotes).toBe(0);
    expect(reports.get("imputation")!.absentNotes).toBe(0);
    // the step graph: every edge drawn (12 in the fixture, 3 of them skipping columns), none
    // through a label
    const dag = reports.get("overview")!.dagEdges!;
    expect(dag.paths).toBe(12);
    expect(dag.labels).toBeGreaterThanOrEqual(9);
    expect(dag.samples).toBeGreaterThan(100);
    expect(dag.crossings).toEqual([]);
    // the imputation maps (c, om): a basemap of land under the cells, fetched from the site itself
    const imp = reports.get("imputation")!;
    expect(imp.maps.map((m) => m.chart).sort()).toEqual(["grid-c", "grid-om"]);
    for (const m of imp.maps) {
      expect(m.land, m.chart).toBeGreaterThanOrEqual(1);
      expect(m.cells, m.chart).toBeGreaterThan(10);
    }
    expect(imp.landRequests.length).toBeGreaterThan(0);
    for (const u of imp.landRequests) expect(u).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_node\/world-atlas@[\d.]+\/land-110m\.json$/);
    // observed vs predicted: QC-flagged samples marked, with a legend entry, in every panel
    const flags = Object.entries(reports.get("metrics")!.flagMarks);
    expect(flags.length).toBeGreaterThanOrEqual(6);
    for (const [chart, f] of flags) {
      expect(f.marks, chart).toBeGreaterThan(0);
      expect(f.legend, chart).toBe(true);
    }
    console.log(`report build took ${buildSeconds.map((s) => s.toFixed(1)).join(" s, ")} s; data bytes`, full.dataBytes);
  }, 300_000);

  it("says how to serve it when opened from disk (file://)", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu"],
    });
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      await page.goto(`file://${join(full.output, "index.html")}`);
      const note = page.locator("#sf-file-note");
      await note.waitFor({ state: "visible", timeout: 10_000 });
      expect(await note.textContent()).toMatch(/python3 -m http\.server 8000.*http:\/\/localhost:8000\/index\.html/);
      await page.screenshot({ path: join(SHOTS, "file-protocol.png") });
      // served, the note is not there
    } finally {
      await browser.close();
    }
    // the sidebar links name the .html files (any static server finds them)
    const html = await readFile(join(full.output, "index.html"), "utf8");
    expect(html).toMatch(/href="\.\/metrics\.html"/);
  }, 60_000);

  it("shows visible notes where the run lacks tables", async () => {
    // n = 1,500: small panels drawn as points, the cal ones with a QC-flagged sample each
    const partialManifest = await writeFixtureRun(join(dir, "partial"), {
      n: 1500,
      omit: [
        "coverage",
        "pairs",
        "hybrid",
        "truth",
        "history",
        "calibration",
        "pca_scores",
        "mean_spectra",
        "qc",
        "qc_summary",
        "harmonization",
      ],
    });
    const partial = await buildReport({ output: join(dir, "site-partial"), env: { SOMFLOW_RUN_MANIFEST: partialManifest } });
    const reports = await visitAll(partial.output, "partial-");
    expectSound(reports, () => 0);
    expect(reports.get("metrics")!.absentNotes).toBeGreaterThanOrEqual(3); // no previous run, history, calibration
    expect(reports.get("harmonization")!.absentNotes).toBeGreaterThanOrEqual(5);
    expect(reports.get("imputation")!.absentNotes).toBeGreaterThanOrEqual(6);
    // point panels: the flagged samples (here from the qc step's samples.qc_flags) as marks with
    // a legend entry, in exactly the panels that hold one; the others have neither
    const flags = Object.entries(reports.get("metrics")!.flagMarks);
    expect(
      flags
        .filter(([, f]) => f.marks > 0)
        .map(([c]) => c)
        .sort(),
    ).toEqual(["cnn-c-c-cal", "cnn-om-om-cal", "plsr-c-cal"].flatMap((p) => [`ovp-${p}`, `res-${p}`]).sort());
    for (const [chart, f] of flags) expect(f.legend, chart).toBe(f.marks > 0);
  }, 300_000);

  // The real demo report (`npm run demo` builds it into reports/dist from the default store).
  // CI runs the demo before the tests, so there it must exist.
  const DEMO_SITE = join(REPO_ROOT, "reports", "dist");
  // SOMFLOW_DEMO_STORE: a demo run kept in another store (its report built into reports/dist)
  const DEMO_STORE = process.env["SOMFLOW_DEMO_STORE"] ?? join(REPO_ROOT, ".somflow");
  const haveDemo = existsSync(join(DEMO_SITE, "index.html")) && existsSync(DEMO_STORE);
  if (!haveDemo && process.env["CI"] === "true")
    throw new Error("CI=true but reports/dist was not built: run `npm run demo` before the tests.");
  if (!haveDemo) {
    console.warn(
      `[skip] demo report vs \`somflow metrics --json\`: ${existsSync(DEMO_STORE) ? "" : "no demo run in .somflow and "}no built report in reports/dist (run \`npm run demo\` first).`,
    );
  }
  it.skipIf(!haveDemo)(
    "renders the demo report, showing the numbers `somflow metrics --json` prints",
    async () => {
      const reports = await visitAll(DEMO_SITE, "demo-");
      expectSound(reports, () => 2);
      const { execFileSync } = await import("node:child_process");
      const overview = JSON.parse(await readFile(await dataFile(DEMO_SITE, "overview"), "utf8")) as { run?: { run_id?: string } };
      const runId = JSON.stringify(overview).match(/"run_id":"([^"]+)"/)?.[1];
      expect(runId).toBeTruthy();
      const cliRows = JSON.parse(
        execFileSync(process.execPath, [
          join(REPO_ROOT, "bin/somflow.mjs"),
          "metrics",
          "--json",
          "--store",
          DEMO_STORE,
          "--run",
          runId!,
        ]).toString(),
      ) as Record<string, unknown>[];
      const page = JSON.parse(await readFile(await dataFile(DEMO_SITE, "metrics"), "utf8")) as { overall: Record<string, unknown>[] };
      const key = (r: Record<string, unknown>) => [r.step, r.model, r.target, r.split, r.scale].join("|");
      const shown = new Map(page.overall.map((r) => [key(r), r]));
      const all = cliRows.filter((r) => r.group === "all");
      expect(all.length).toBeGreaterThan(0);
      for (const r of all) {
        const s = shown.get(key(r));
        expect(s, key(r)).toBeDefined();
        // at the precision the page shows (the stored values keep full precision)
        for (const m of ["r2", "rmse", "mae", "rpiq", "pi_coverage"]) {
          if (typeof r[m] === "number") expect(formatNumber(s![m] as number), `${key(r)} ${m}`).toBe(formatNumber(r[m] as number));
        }
      }
    },
    300_000,
  );
});

/** The built JSON of one page's loader (Framework fingerprints the file name). */
async function dataFile(site: string, page: string): Promise<string> {
  const dir = join(site, "_file", "data");
  const name = (await readdir(dir)).find((f) => f.startsWith(`${page}.`) && f.endsWith(".json"));
  if (!name) throw new Error(`no ${page} data in ${dir}`);
  return join(dir, name);
}
