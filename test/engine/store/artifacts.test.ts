/**
 * Content hashes in the seal: a same-size overwrite of a cached artifact is found before a
 * step that runs reads it, the upstream step is recomputed, and the metrics equal those of
 * an undisturbed run. A no-op rerun reads no artifact content.
 */
import { readFile, readdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyArtifact, type ArtifactSeal } from "../../../src/engine/store/artifacts.js";
import { layout } from "../../../src/engine/store/layout.js";
import type { RunRecord } from "../../../src/engine/run-record.js";
import { artifactOf, copyStore, firstF32, flipBytes, metricsOf, runSmall, statuses, tmpStore } from "./small-pipeline.js";

let pristine: string;
let first: RunRecord;
let undisturbed: unknown[];

beforeAll(async () => {
  pristine = await tmpStore();
  first = await runSmall(pristine);
  expect(first.status).toBe("ok");
  undisturbed = await metricsOf(pristine, first);
  expect(undisturbed.length).toBeGreaterThan(0);
}, 120_000);

describe("artifact seals with content hashes", () => {
  it("records every file's size and sha256, and verifies", async () => {
    for (const s of first.steps) {
      const dir = layout(pristine).artifact(s.artifact!);
      const seal = JSON.parse(await readFile(join(dir, "_artifact.json"), "utf8")) as ArtifactSeal;
      expect(Object.keys(seal.sha256!).sort()).toEqual(Object.keys(seal.files).sort());
      for (const h of Object.values(seal.sha256!)) expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(await verifyArtifact(dir, s.artifact!)).toEqual({ ok: true, legacy: false });
    }
  });

  it("a same-size overwrite of a sealed .f32: the next run that reads it recomputes the upstream step; metrics unchanged", async () => {
    const store = await copyStore(pristine);
    const f32 = await firstF32(artifactOf(store, first, "preprocess"));
    await flipBytes(f32);
    const verdict = await verifyArtifact(artifactOf(store, first, "preprocess"), first.steps[1]!.artifact!);
    expect(verdict).toMatchObject({
      ok: false,
      problem: expect.stringContaining("content differs from its seal: spectra.spectra/block-0.f32"),
    });

    // A no-op rerun reads no artifact content: everything cached, the damage not even looked at.
    const noop = await runSmall(store);
    expect(Object.values(statuses(noop)).every((s) => s === "cached")).toBe(true);
    expect(existsSync(f32)).toBe(true);

    // --force of a downstream step: its cached input is checked, found corrupt, recomputed first.
    const forced = await runSmall(store, [], { force: ["plsr"] });
    // (evaluate reruns too while plsr's artifact records its fit time: not asserted either way.)
    expect(statuses(forced)).toMatchObject({ library: "cached", preprocess: "ran", targets: "cached", plsr: "ran" });
    const pre = forced.steps.find((s) => s.name === "preprocess")!;
    expect(pre.reason).toMatch(
      /^recomputed: cached artifact [0-9a-f]{12} is corrupt \(content differs from its seal: spectra\.spectra\/block-0\.f32\)/,
    );
    expect(pre.artifact).toBe(first.steps.find((s) => s.name === "preprocess")!.artifact); // deterministic: same hash
    expect(await metricsOf(store, forced)).toEqual(undisturbed);
    expect(await verifyArtifact(artifactOf(store, first, "preprocess"), pre.artifact!)).toEqual({ ok: true, legacy: false });
    expect(await readdir(layout(store).tmp)).toEqual([]);
  }, 120_000);

  it("a changed downstream option after the overwrite: recomputes upstream, metrics equal a clean store's", async () => {
    const store = await copyStore(pristine);
    await flipBytes(await firstF32(artifactOf(store, first, "preprocess")));
    const run = await runSmall(store, ["components=4"]);
    expect(statuses(run)).toMatchObject({ preprocess: "ran", plsr: "ran", evaluate: "ran" });
    const clean = await tmpStore();
    const reference = await runSmall(clean, ["components=4"]);
    expect(await metricsOf(store, run)).toEqual(await metricsOf(clean, reference));
  }, 120_000);

  it("seals written before content hashes: verified through the folder name; intact ones are used, a changed one is recomputed", async () => {
    const store = await copyStore(pristine);
    for (const s of first.steps) {
      const file = join(layout(store).artifact(s.artifact!), "_artifact.json");
      const seal = JSON.parse(await readFile(file, "utf8")) as ArtifactSeal;
      delete seal.sha256;
      await writeFile(file, JSON.stringify(seal, null, 1));
    }
    const lib = artifactOf(store, first, "library");
    expect(await verifyArtifact(lib, first.steps[0]!.artifact!)).toEqual({ ok: true, legacy: true });
    await flipBytes(await firstF32(artifactOf(store, first, "preprocess")));
    expect(await verifyArtifact(artifactOf(store, first, "preprocess"), first.steps[1]!.artifact!)).toMatchObject({
      ok: false,
      problem: "its content does not hash to its name (a file or the seal was changed)",
    });
    const run = await runSmall(store, [], { force: ["plsr"] });
    // targets (legacy, intact) is used as is; preprocess (legacy, changed) is recomputed.
    expect(statuses(run)).toMatchObject({ library: "cached", preprocess: "ran", targets: "cached", plsr: "ran" });
    expect(await metricsOf(store, run)).toEqual(undisturbed);
  }, 120_000);

  it("verification off (bench switch): the corrupt input is read as is — what the check prevents", async () => {
    const store = await copyStore(pristine);
    await flipBytes(await firstF32(artifactOf(store, first, "preprocess")));
    const run = await runSmall(store, [], { force: ["plsr"], verifyInputs: false });
    expect(statuses(run)).toMatchObject({ preprocess: "cached", plsr: "ran" });
    expect(await metricsOf(store, run)).not.toEqual(undisturbed);
  }, 120_000);
});
