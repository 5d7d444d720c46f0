/** The cue name of each reason (what `plan --json` and the run record group by), and order. */
import { describe, expect, it } from "vitest";
import {
  alwaysCue,
  artifactMissingCue,
  changes,
  ENGINE_FORMAT,
  forcedCue,
  inputWillRerunCue,
  type KeyManifest,
} from "../../src/engine/cues.js";

const base: KeyManifest = {
  engine: ENGINE_FORMAT,
  type: "t",
  version: 1,
  options: {},
  inputs: { a: "1", b: "2" },
  source: { "src/a.ts": "1", "src/b.ts": "2" },
  packages: { p: "1" },
  files: { f1: "1", f2: "2" },
};
const copy = (): KeyManifest => JSON.parse(JSON.stringify(base)) as KeyManifest;

describe("cue names", () => {
  it("the cues without a comparison", () => {
    expect(forcedCue()).toEqual({ cue: "forced", message: "forced (--force)" });
    expect(alwaysCue()).toEqual({ cue: "always", message: "always: true" });
    expect(inputWillRerunCue("qc")).toEqual({ cue: "input-will-rerun", message: "input qc will rerun" });
    expect(artifactMissingCue()).toEqual({ cue: "artifact-missing", message: "stored artifact missing or corrupt" });
  });

  it("each comparison names its cue", () => {
    const one = (f: (m: KeyManifest) => void) => {
      const m = copy();
      f(m);
      return changes(base, m).map((r) => r.cue);
    };
    expect(one((m) => (m.type = "u"))).toEqual(["type"]);
    expect(one((m) => (m.version = 2))).toEqual(["version"]);
    expect(one((m) => (m.options = { x: 1 }))).toEqual(["options"]);
    expect(one((m) => (m.inputs.c = "3"))).toEqual(["inputs"]);
    expect(one((m) => delete m.inputs.a)).toEqual(["inputs"]);
    expect(one((m) => (m.source["src/c.ts"] = "3"))).toEqual(["source"]);
    expect(one((m) => delete m.source["src/a.ts"])).toEqual(["source"]);
    expect(one((m) => (m.files.f3 = "3"))).toEqual(["files"]);
    expect(one((m) => delete m.files.f1)).toEqual(["files"]);
    expect(one((m) => (m.packages.p = "2"))).toEqual(["packages"]);
  });

  it("reasons within a cue are sorted by name, whatever the key order", () => {
    const m = copy();
    m.inputs = { b: "9", a: "9" };
    m.source = { "src/b.ts": "9", "src/a.ts": "9" };
    m.files = { f2: "9", f1: "9" };
    expect(changes(base, m).map((r) => r.message)).toEqual([
      "input a changed",
      "input b changed",
      "source src/a.ts changed",
      "source src/b.ts changed",
      "input file f1 changed",
      "input file f2 changed",
    ]);
  });

  it("a stored manifest from before input files were recorded counts every file as added", () => {
    const old = copy() as Partial<KeyManifest> & KeyManifest;
    delete (old as { files?: unknown }).files;
    expect(changes(old, base).map((r) => r.message)).toEqual(["input file f1 added", "input file f2 added"]);
  });

  it("package reasons read 'package <name> …'", () => {
    const m = copy();
    m.packages.p = "2";
    expect(changes(base, m)[0]!.message).toBe('package p changed "1" -> "2"');
  });
});
