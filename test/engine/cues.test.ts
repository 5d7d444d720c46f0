/**
 * The cache key and the reasons a step reruns: every field of the key manifest changes the
 * key, key order and `undefined` members never do, and each cue names what changed.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cacheKey, changes, ENGINE_FORMAT, noStoredManifestCue, resultRemovedCue, type KeyManifest } from "../../src/engine/cues.js";
import { canonicalJson, hashJson, sha256, short } from "../../src/engine/hash.js";

const base: KeyManifest = {
  engine: ENGINE_FORMAT,
  type: "baseline.plsr",
  version: 1,
  options: { target: "c", max_components: 20, split: { test: 0.15, folds: [1, 2] } },
  inputs: { harmonize: "aaa", qc: "bbb" },
  source: { "src/steps/baseline/plsr.ts": "s1", "src/core/stats/split.ts": "s2" },
  packages: { "ml-matrix": "6.15.1" },
  files: { "data/a.csv": "f1" },
};
const clone = (): KeyManifest => JSON.parse(JSON.stringify(base)) as KeyManifest;

describe("hash", () => {
  it("sha256 is the hex SHA-256 of the UTF-8 bytes; short is its first 12 characters", () => {
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256(new Uint8Array([0x61, 0x62, 0x63]))).toBe(sha256("abc"));
    expect(sha256("é")).toBe(createHash("sha256").update(Buffer.from("é", "utf8")).digest("hex"));
    expect(short(sha256("abc"))).toBe("ba7816bf8f01");
  });

  it("canonicalJson sorts keys at every depth, keeps array order, drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([2, 1])).toBe("[2,1]");
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson("x")).toBe('"x"');
    expect(canonicalJson(0)).toBe("0");
    // typed arrays are left to JSON.stringify (not treated as plain objects with sorted keys)
    expect(canonicalJson({ t: Float64Array.of(1, 2) })).toBe(JSON.stringify({ t: Float64Array.of(1, 2) }));
    expect(hashJson({ a: 1, b: 2 })).toBe(hashJson({ b: 2, a: 1 }));
    expect(hashJson({ a: 1 })).toBe(sha256('{"a":1}'));
    expect(hashJson([1, 2])).not.toBe(hashJson([2, 1]));
  });
});

describe("cacheKey", () => {
  it("is the hash of the canonical manifest: key order and undefined options do not matter", () => {
    const k = cacheKey(base);
    expect(k).toBe(hashJson(base));
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    const reordered: KeyManifest = {
      ...clone(),
      options: { split: { folds: [1, 2], test: 0.15 }, max_components: 20, target: "c", unset: undefined },
    };
    expect(cacheKey(reordered)).toBe(k);
  });

  it.each([
    ["engine", (m: KeyManifest) => (m.engine = ENGINE_FORMAT + 1)],
    ["type", (m: KeyManifest) => (m.type = "cnn.train")],
    ["version", (m: KeyManifest) => (m.version = 2)],
    ["an option", (m: KeyManifest) => ((m.options as { max_components: number }).max_components = 21)],
    ["a nested option", (m: KeyManifest) => ((m.options as { split: { folds: number[] } }).split.folds = [2, 1])],
    ["an input hash", (m: KeyManifest) => (m.inputs.qc = "bbc")],
    ["an imported source file", (m: KeyManifest) => (m.source["src/core/stats/split.ts"] = "s3")],
    ["a new import", (m: KeyManifest) => (m.source["src/core/random.ts"] = "s4")],
    ["a package version", (m: KeyManifest) => (m.packages["ml-matrix"] = "6.15.2")],
    ["an input file", (m: KeyManifest) => (m.files["data/a.csv"] = "missing")],
  ])("changes when %s changes", (_what, change) => {
    const m = clone();
    change(m);
    expect(cacheKey(m)).not.toBe(cacheKey(base));
  });
});

describe("changes (reasons to rerun)", () => {
  const reasons = (change: (m: KeyManifest) => void) => {
    const m = clone();
    change(m);
    return changes(base, m);
  };
  const why = (change: (m: KeyManifest) => void) => reasons(change).map((r) => r.message);

  it("nothing for equal manifests; the cues without a comparison say what they are", () => {
    expect(changes(base, clone())).toEqual([]);
    expect(noStoredManifestCue()).toEqual({ cue: "no-stored-manifest", message: "first run of this step" });
    expect(resultRemovedCue()).toEqual({
      cue: "result-removed",
      message: "no stored result for this key (removed by gc or another store)",
    });
  });

  it("input routes: a changed route is its own reason", () => {
    const r = reasons((m) => (m.routes = { spectra: "harmonize" }));
    expect(r).toEqual([{ cue: "routes", message: 'inputs.spectra added ("harmonize")' }]);
    const withRoute = { ...clone(), routes: { spectra: "harmonize" } };
    expect(changes(withRoute, { ...clone(), routes: { spectra: "qc" } })).toEqual([
      { cue: "routes", message: 'inputs.spectra changed "harmonize" -> "qc"' },
    ]);
  });

  it("names each kind of change", () => {
    expect(why((m) => (m.engine = 7))).toEqual([`store format changed ${ENGINE_FORMAT} -> 7`]);
    expect(why((m) => (m.type = "cnn.train"))).toEqual(["step type changed baseline.plsr -> cnn.train"]);
    expect(why((m) => (m.version = 3))).toEqual(["step version changed 1 -> 3"]);
    // a type change does not also report the version
    expect(why((m) => ((m.type = "x"), (m.version = 2)))).toEqual(["step type changed baseline.plsr -> x"]);
    expect(why((m) => (m.inputs.qc = "zzz"))).toEqual(["input qc changed"]);
    expect(why((m) => (m.inputs.extra = "e"))).toEqual(["needs extra added"]);
    expect(why((m) => delete m.inputs.harmonize)).toEqual(["needs harmonize removed"]);
    expect(why((m) => (m.source["src/steps/baseline/plsr.ts"] = "s9"))).toEqual(["source src/steps/baseline/plsr.ts changed"]);
    expect(why((m) => (m.source["src/core/random.ts"] = "r"))).toEqual(["source src/core/random.ts added"]);
    expect(why((m) => delete m.source["src/core/stats/split.ts"])).toEqual(["source src/core/stats/split.ts no longer imported"]);
    expect(why((m) => (m.files["data/a.csv"] = "f2"))).toEqual(["input file data/a.csv changed"]);
    expect(why((m) => (m.files["data/a.csv"] = "missing"))).toEqual(["input file data/a.csv is missing"]);
    expect(why((m) => (m.files["data/b.csv"] = "f"))).toEqual(["input file data/b.csv added"]);
    expect(why((m) => delete m.files["data/a.csv"])).toEqual(["input file data/a.csv no longer read"]);
    expect(why((m) => (m.packages["ml-matrix"] = "7.0.0"))).toEqual(['package ml-matrix changed "6.15.1" -> "7.0.0"']);
    expect(why((m) => (m.packages["zod"] = "4.0.0"))).toEqual(['package zod added ("4.0.0")']);
  });

  it("reports option changes at the leaf, in key order, several at once", () => {
    expect(why((m) => ((m.options as { target: string }).target = "om"))).toEqual(['with.target changed "c" -> "om"']);
    expect(
      why((m) => {
        const o = m.options as Record<string, unknown>;
        o.max_components = 10;
        (o.split as Record<string, unknown>).test = 0.2;
        o.added = true;
      }),
    ).toEqual(["with.added added (true)", "with.max_components changed 20 -> 10", "with.split.test changed 0.15 -> 0.2"]);
    expect(why((m) => delete (m.options as Record<string, unknown>).target)).toEqual(['with.target removed (was "c")']);
  });

  it("lists reasons in cue order (engine, type, version, options, inputs, routes, sources, files, packages)", () => {
    expect(reasons(() => undefined)).toEqual([]);
    const r = changes(
      base,
      (() => {
        const m = clone();
        m.packages["ml-matrix"] = "1";
        m.files["data/a.csv"] = "x";
        m.source["src/core/stats/split.ts"] = "x";
        m.inputs.qc = "x";
        (m.options as Record<string, unknown>).target = "om";
        m.version = 2;
        m.engine = 9;
        return m;
      })(),
    );
    expect(r.map((x) => x.cue)).toEqual(["engine", "version", "options", "inputs", "source", "files", "packages"]);
  });
});

describe("option differences", () => {
  const opt = (a: unknown, b: unknown) =>
    changes({ ...clone(), options: { s: a } }, { ...clone(), options: { s: b } }).map((r) => r.message);
  it("shortens values longer than 40 characters to their first 37 and an ellipsis", () => {
    expect(opt("a", "x".repeat(60))).toEqual([`with.s changed "a" -> "${"x".repeat(36)}...`]);
    const exact = "y".repeat(38); // 40 characters with its quotes: not shortened
    expect(opt(1, exact)).toEqual([`with.s changed 1 -> "${exact}"`]);
    expect(opt({ a: 1 }, { a: 1 })).toEqual([]);
    expect(opt([1, 2], [1, 3])).toEqual(["with.s changed [1,2] -> [1,3]"]);
    expect(opt(1, { a: 1 })).toEqual(['with.s changed 1 -> {"a":1}']);
  });
});
