/**
 * hybridDescription: the wide layout's column docs and the notes, whose numbers must be the
 * ones the code applies (physical maxima, CSV digits).
 */
import { describe, expect, it } from "vitest";
import { PHYSICAL_MAX } from "../../../src/core/impute/hybrid.js";
import { HYBRID_COLUMNS, hybridDescription } from "../../../src/core/impute/sidecar.js";
import type { ColumnDescription } from "../../../src/contracts/column-description.js";

type Described = { columns: Record<string, ColumnDescription>; about: Record<string, unknown> };
const about = { models: { c: "train-c" }, piLevel: { c: 0.9 }, counts: { c: { measured: 3, predicted: 1, rejected: 0 } } };

describe("hybridDescription", () => {
  it("wide: the sample columns first, then per target the long column's doc named for the target", () => {
    const w = hybridDescription(about, "wide") as Described;
    expect(Object.keys(w.columns).slice(0, 8)).toEqual([
      "sample_id",
      "source",
      "depth_top_cm",
      "depth_bottom_cm",
      "lat",
      "lon",
      "c_value",
      "c_origin",
    ]);
    const value = HYBRID_COLUMNS.find((c) => c.name === "value")!.description;
    expect(w.columns.c_value!.description).toBe(`organic carbon: ${value}`);
    expect(w.columns.om_value!.description).toBe(`organic matter: ${value}`);
    expect(w.columns.om_sd!.unit).toBe("g/kg");
    expect(w.about.layout).toBe("wide: one row per sample, c_* and om_* side by side");
    expect((hybridDescription(about) as Described).about.layout).toBe("long: one row per sample and target");
  });

  it("carries the counts and set-aside counts given, null when not", () => {
    const setAside = { c: { c_negative: 2 }, om: {} };
    const d = hybridDescription({ ...about, setAside }) as Described;
    expect(d.about).toMatchObject({
      version: 2,
      models: { c: "train-c" },
      pi_level: { c: 0.9 },
      counts: about.counts,
      set_aside: setAside,
    });
    expect((hybridDescription(about) as Described).about.set_aside).toBeNull();
  });

  it("the notes state the maxima and the CSV digits the code uses", () => {
    const d = hybridDescription(about) as Described;
    const notes = d.about.notes as string[];
    expect(notes).toHaveLength(4);
    expect(notes[0]).toMatch(/^Measured values are copied unchanged into `measured`/);
    expect(notes[0]).toContain("counted in set_aside");
    expect(notes[1]).toContain(`written with ${d.columns.value!.csv_digits} significant digits, measured values exactly`);
    expect(notes[2]).toContain(`(C <= ${PHYSICAL_MAX.c}, OM <= ${PHYSICAL_MAX.om} g/kg; above: rejected)`);
    expect(notes[3]).toBe("Units: g/kg of dry soil, dry-combustion-equivalent organic C.");
  });
});
