/**
 * Property-based fuzzing of the parsers a user's files reach (fast-check): the YAML pipeline
 * parser, the wide/OSSL CSV readers, the small (lab) CSV reader and the OPUS parser. Every
 * input gives either a typed user error (UsageError / FormatError: a clear message, exit 1/2)
 * or a correct result — never another exception (a crash with a stack) and never a hang
 * (each call is timed). Seeds are fixed so a failure reproduces.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { UsageError } from "../../src/engine/errors.js";
import { parsePipeline, type Registry } from "../../src/engine/pipeline.js";
import { FormatError } from "../../src/formats/errors.js";
import { OPUS_WAVENUMBER_RANGE, parseOpus } from "../../src/formats/opus.js";
import { parseOsslCsv } from "../../src/formats/ossl.js";
import { parseSmallCsv } from "../../src/formats/small-csv.js";
import { parseWideTable } from "../../src/formats/wide-table.js";
import { builtinSteps } from "../../src/steps/registry.js";
import { steps } from "../engine/fixtures/steps.js";
import { opusFile, ramp } from "../formats/opus-writer.js";

const registry: Registry = new Map([...steps, ...builtinSteps()].map((s) => [s.type, s]));
const RUNS = 300;
const SLOW_MS = 2000;

/** Runs `fn`; a typed user error is fine, anything else is rethrown; slow calls fail. */
function clearErrorOrResult<T>(fn: () => T, typed: (e: unknown) => boolean): { ok: true; value: T } | { ok: false; message: string } {
  const t0 = performance.now();
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!typed(e)) throw e;
    const message = (e as Error).message;
    expect(message.length).toBeGreaterThan(10);
    expect(message).not.toMatch(/\n\s+at /);
    return { ok: false, message };
  } finally {
    expect(performance.now() - t0).toBeLessThan(SLOW_MS);
  }
}
const isUsage = (e: unknown) => e instanceof UsageError;
const isFormat = (e: unknown) => e instanceof FormatError;

const nastyKey = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "name",
  "steps",
  "uses",
  "with",
  "needs",
  "params",
  "checks",
  "n",
  "a",
  "b",
  "",
  "0",
  "a".repeat(120),
);
const nastyScalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("${params.n}", "${params.constructor}", "${params.__proto__}", ">= banana", "test.source", "ingest.table", "*a", "&a x"),
);
const yamlValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    nastyScalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(nastyKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("fuzz: YAML pipeline parser", () => {
  it("arbitrary text: a UsageError or a pipeline, never a crash", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        clearErrorOrResult(() => parsePipeline("f.yaml", text, registry), isUsage);
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });
  it("pipeline-shaped documents with nasty keys and values: a UsageError or a valid pipeline", () => {
    const doc = fc.record(
      {
        name: fc.oneof(fc.string(), fc.constant("t")),
        params: fc.dictionary(nastyKey, fc.oneof(fc.integer(), fc.string(), fc.boolean()), { maxKeys: 3 }),
        steps: fc.dictionary(
          nastyKey,
          fc.record(
            {
              uses: fc.constantFrom("test.source", "test.scale", "ingest.table", "nope"),
              with: yamlValue,
              needs: fc.array(nastyKey, { maxLength: 2 }),
            },
            { requiredKeys: ["uses"] },
          ),
          { maxKeys: 4 },
        ),
        checks: fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(doc, fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }), (d, overrides) => {
        const r = clearErrorOrResult(() => parsePipeline("f.yaml", stringify(d), registry, { overrides }), isUsage);
        if (r.ok) {
          // an accepted pipeline never holds a prototype key, and every step it lists was in the file
          for (const s of r.value.steps) {
            expect(["__proto__", "constructor", "prototype"]).not.toContain(s.name);
            expect(Object.keys(d.steps ?? {})).toContain(s.name);
          }
          expect(Object.getPrototypeOf(r.value.params)).toBeNull();
        }
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });
});

const cell = fc.oneof(
  fc.double({ min: -10, max: 10, noNaN: true }).map(String),
  fc.constantFrom("", "NA", "NaN", "null", "#N/A", "1e999", "0,5", '"1"', '"', "1e39", " 2 ", "-", "+", ".", "1.2.3", "Inf"),
  fc.string({ maxLength: 6 }),
);

describe("fuzz: CSV readers", () => {
  it("arbitrary bytes as a wide CSV: a FormatError or a library", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        clearErrorOrResult(() => parseWideTable("f.csv", bytes, { spectralPrefix: "wn_", unit: "absorbance", idColumn: "id" }), isFormat);
      }),
      { numRuns: RUNS, seed: 3 },
    );
  });
  it("messy cells in a well-formed table: a FormatError, or exactly the numbers written", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), (rows, bom, crlf) => {
        let text = `id,wn_4000,wn_3000,wn_2000\n${rows.map((r, i) => `s${i},${r.join(",")}`).join("\n")}\n`;
        if (crlf) text = text.replaceAll("\n", "\r\n");
        const bytes = Buffer.from((bom ? "\uFEFF" : "") + text);
        const r = clearErrorOrResult(
          () => parseWideTable("f.csv", bytes, { spectralPrefix: "wn_", unit: "absorbance", idColumn: "id" }),
          isFormat,
        );
        if (r.ok) {
          // every row whose three cells are plain numbers is read to those numbers (float32)
          const b = r.value.blocks[0];
          rows.forEach((cells, i) => {
            const nums = cells.map((c) => (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(c.trim()) ? Number(c) : NaN));
            if (nums.every(Number.isFinite) && b) {
              const k = b.ids.indexOf(`s${i}`);
              expect(k).toBeGreaterThanOrEqual(0);
              expect(Array.from(b.values.subarray(k * 3, k * 3 + 3))).toEqual(nums.map(Math.fround));
            }
          });
          for (const v of b?.values ?? []) expect(Number.isFinite(v)).toBe(true);
        }
      }),
      { numRuns: RUNS, seed: 4 },
    );
  });
  it("arbitrary text as an OSSL export: a FormatError or a library", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (tail) => {
        clearErrorOrResult(
          () => parseOsslCsv("o.csv", Buffer.from(`id.layer_uuid_txt,scan_mir.600_abs,scan_mir.602_abs\n${tail}`)),
          isFormat,
        );
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });
  it("arbitrary text as a lab table: a FormatError or rows of the header's width", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = clearErrorOrResult(() => parseSmallCsv("lab.csv", text), isFormat);
        if (r.ok) for (const row of r.value.rows) expect(row.length).toBe(r.value.header.length);
      }),
      { numRuns: RUNS, seed: 6 },
    );
  });
});

describe("fuzz: OPUS parser", () => {
  const base = opusFile([
    { fxv: 3998, lxv: 600, values: ramp(300), additional: 64 },
    { fxv: 3998, lxv: 600, values: ramp(300) },
  ]);
  const check = (bytes: Uint8Array) => {
    const r = clearErrorOrResult(() => parseOpus("f.0", bytes), isFormat);
    if (r.ok) {
      const s = r.value;
      expect(s.values.length).toBe(s.wavenumbers.length);
      for (const v of s.values) expect(Number.isFinite(v)).toBe(true);
      for (const w of [s.wavenumbers[0]!, s.wavenumbers[s.wavenumbers.length - 1]!]) {
        expect(w).toBeGreaterThanOrEqual(OPUS_WAVENUMBER_RANGE[0]);
        expect(w).toBeLessThanOrEqual(OPUS_WAVENUMBER_RANGE[1]);
      }
    }
  };
  it("a valid file with random bytes changed: a FormatError or a plausible spectrum", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const b = base.slice();
          for (const [i, v] of edits) b[i] = v;
          check(b);
        },
      ),
      { numRuns: RUNS * 2, seed: 7 },
    );
  });
  it("single bit flips in the header, directory and parameter blocks", () => {
    const meta = base.length - 2 * 300 * 4; // everything before the data blocks' end is structure or params
    fc.assert(
      fc.property(fc.nat(Math.max(0, meta - 1)), fc.nat(7), (i, bit) => {
        const b = base.slice();
        b[i]! ^= 1 << bit;
        check(b);
      }),
      { numRuns: RUNS * 2, seed: 8 },
    );
  });
  it("a valid file cut at any length", () => {
    fc.assert(
      fc.property(fc.nat(base.length), (n) => check(base.subarray(0, n))),
      { numRuns: RUNS, seed: 9 },
    );
  });
  it("arbitrary bytes after the OPUS magic", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => {
        const b = new Uint8Array(4 + tail.length);
        b.set([0x0a, 0x0a, 0xfe, 0xfe]);
        b.set(tail, 4);
        check(b);
      }),
      { numRuns: RUNS, seed: 10 },
    );
  });
});
