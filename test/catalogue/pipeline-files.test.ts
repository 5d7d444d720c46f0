/** Catalogue: bad pipeline files, params and checks — validated before anything runs (exit 2). */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { loadPipeline, parsePipeline, type Registry } from "../../src/engine/pipeline.js";
import { builtinSteps } from "../../src/steps/registry.js";
import { steps } from "../engine/fixtures/steps.js";
import { assertCase, outcome, type Case } from "./harness.js";

const registry: Registry = new Map([...steps, ...builtinSteps()].map((s) => [s.type, s]));
const parse = (text: string, overrides: string[] = []) => outcome(() => parsePipeline("p.yaml", text, registry, { overrides }));
const dir = mkdtempSync(join(tmpdir(), "somflow-cat-yaml-"));

const base = (steps: string, head = "name: t\nparams:\n  n: 4\n  flag: true\n") => `${head}steps:\n${steps}`;
const src = "  a:\n    uses: test.source\n    with:\n      n: 3\n";

export const pipelineCases: Case[] = [
  { kind: "empty pipeline file", run: () => parse(""), exit: 2, message: /^p\.yaml:1: the file is empty .*needs name: and steps:/ },
  {
    kind: "pipeline file with only comments",
    run: () => parse("# nothing yet\n\n# todo\n"),
    exit: 2,
    message: /^p\.yaml:1: the file is empty/,
  },
  {
    kind: "YAML syntax error (unclosed bracket)",
    run: () => parse("name: t\nsteps: [a,\n"),
    exit: 2,
    message: /^p\.yaml:\d+:\d+: YAML syntax/,
  },
  {
    kind: "YAML tab indentation",
    run: () => parse("name: t\nsteps:\n\ta:\n\t\tuses: test.source\n"),
    exit: 2,
    message: /^p\.yaml:3:\d+: YAML syntax/,
  },
  {
    kind: "duplicated key in a mapping",
    run: () => parse(base(src + src)),
    exit: 2,
    message: /^p\.yaml:\d+:\d+: YAML syntax: Map keys must be unique/,
  },
  {
    kind: "YAML alias bomb (billion laughs)",
    run: () =>
      parse(
        `name: t\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nsteps: {}\n`,
      ),
    exit: 2,
    message: /^p\.yaml: YAML aliases expand too far .*write the values out/,
  },
  {
    kind: "top level is a list",
    run: () => parse("- a\n- b\n"),
    exit: 2,
    message: /^p\.yaml:1:1: expected object, got a list: a pipeline file is a mapping with name:, steps:/,
  },
  {
    kind: "top level is a scalar",
    run: () => parse("hello\n"),
    exit: 2,
    message: /^p\.yaml:1:1: expected object, got string: a pipeline file is a mapping/,
  },
  {
    kind: "missing name",
    run: () => parse(`steps:\n${src}`),
    exit: 2,
    message: /^p\.yaml:1:1 \(name\): "name" is missing \(expected string\); add it/,
  },
  {
    kind: "missing steps",
    run: () => parse("name: t\n"),
    exit: 2,
    message: /^p\.yaml:1:1 \(steps\): "steps" is missing \(expected record\); add it/,
  },
  {
    kind: "unknown top-level key (typo)",
    run: () => parse(`name: t\nstep:\n${src}`),
    exit: 2,
    message: /p\.yaml:1:1: Unrecognized key: "step"/,
  },
  {
    kind: "steps as a list instead of a mapping",
    run: () => parse("name: t\nsteps:\n  - uses: test.source\n"),
    exit: 2,
    message: /^p\.yaml:3:\d+ \(steps\): expected a mapping, got a list: steps: maps each step name to its uses:, with:, needs:/,
  },
  {
    kind: "step without uses",
    run: () => parse(base("  a:\n    with: {n: 1}\n")),
    exit: 2,
    message: /^p\.yaml:\d+:\d+ \(steps\.a\.uses\): "uses" is missing \(expected string\); add it/,
  },
  {
    kind: "step named __proto__ (vanished before)",
    run: () => parse(base("  __proto__:\n    uses: test.source\n    with: {n: 1}\n")),
    exit: 2,
    message: /^p\.yaml:7:5 \(steps\.__proto__\): "__proto__" cannot be used as a name .*rename it/,
  },
  {
    kind: "step named constructor",
    run: () => parse(base("  constructor:\n    uses: test.source\n    with: {n: 1}\n")),
    exit: 2,
    message: /^p\.yaml:7:5 \(steps\.constructor\): "constructor" cannot be used/,
  },
  {
    kind: "step named prototype",
    run: () => parse(base("  prototype:\n    uses: test.source\n    with: {n: 1}\n")),
    exit: 2,
    message: /^p\.yaml:7:5 \(steps\.prototype\): "prototype" cannot be used/,
  },
  {
    kind: "option key __proto__ (ran with defaults before)",
    run: () => parse(base("  a:\n    uses: test.source\n    with:\n      __proto__: {n: 50}\n")),
    exit: 2,
    message: /^p\.yaml:9:18 \(steps\.a\.with\.__proto__\): "__proto__" cannot be used/,
  },
  {
    kind: "nested option key constructor",
    run: () => parse(base("  a:\n    uses: test.source\n    with:\n      n: 1\n      deep: {x: {constructor: 1}}\n")),
    exit: 2,
    message: /\(steps\.a\.with\.deep\.x\.constructor\): "constructor" cannot be used/,
  },
  {
    kind: "param named constructor",
    run: () => parse(base(src, "name: t\nparams:\n  constructor: 1\n")),
    exit: 2,
    message: /^p\.yaml:3:16 \(params\.constructor\): "constructor" cannot be used/,
  },
  {
    kind: "-p constructor=1 (became function Object() before)",
    run: () => parse(base(src), ["constructor=1"]),
    exit: 2,
    message: /^--param constructor: "constructor" cannot be a param name; use another name/,
  },
  {
    kind: "-p __proto__=1",
    run: () => parse(base(src), ["__proto__=1"]),
    exit: 2,
    message: /^--param __proto__: .*cannot be a param name/,
  },
  {
    kind: "${params.constructor} in an option",
    run: () => parse(base("  a:\n    uses: test.source\n    with:\n      n: ${params.constructor}\n")),
    exit: 2,
    message: /^p\.yaml:9:10 \(steps\.a\.with\.n\): unknown param "\$\{params\.constructor\}"; declared params: n, flag/,
  },
  {
    kind: "${params.toString} inside a text option",
    run: () => parse(base("  a:\n    uses: ingest.table\n    with:\n      path: x_${params.toString}.csv\n      unit: absorbance\n")),
    exit: 2,
    message: /unknown param "\$\{params\.toString\}"/,
  },
  {
    kind: "step name of 301 characters (ENAMETOOLONG after computing before)",
    run: () => parse(base(`  a${"b".repeat(300)}:\n    uses: test.source\n    with: {n: 1}\n`)),
    exit: 2,
    message: /^p\.yaml:7:5 \(steps\.abbbb.*\): step name "abbbb.*…" has 301 characters; at most 100 \(it becomes a file name\)/,
  },
  {
    kind: "step name with a path separator",
    run: () => parse(base("  ../evil:\n    uses: test.source\n    with: {n: 1}\n")),
    exit: 2,
    message: /step name "\.\.\/evil": start with a letter and use letters, digits, - and _/,
  },
  {
    kind: "step name starting with a digit",
    run: () => parse(base("  1st:\n    uses: test.source\n    with: {n: 1}\n")),
    exit: 2,
    message: /step name "1st": start with a letter/,
  },
  {
    kind: "step name with a space",
    run: () => parse(base("  my step:\n    uses: test.source\n    with: {n: 1}\n")),
    exit: 2,
    message: /step name "my step": start with a letter/,
  },
  {
    kind: "unknown step type (typo)",
    run: () => parse(base("  a:\n    uses: ingest.tabel\n")),
    exit: 2,
    message: /^p\.yaml:7:11 \(steps\.a\.uses\): unknown step type "ingest\.tabel"; known types: .*ingest\.table/,
  },
  {
    kind: "needs a step that does not exist",
    run: () => parse(base(src + "  b:\n    uses: test.scale\n    needs: [nope]\n")),
    exit: 2,
    message: /\(steps\.b\.needs\.0\): needs "nope", which is not a step of this pipeline/,
  },
  {
    kind: "a step that needs itself",
    run: () => parse(base("  a:\n    uses: test.scale\n    needs: [a]\n")),
    exit: 2,
    message: /\(steps\.a\.needs\.0\): step "a" needs itself/,
  },
  {
    kind: "a cycle of steps",
    run: () => parse(base("  a:\n    uses: test.scale\n    needs: [b]\n  b:\n    uses: test.scale\n    needs: [a]\n")),
    exit: 2,
    message: /steps form a cycle: (a -> b -> a|b -> a -> b)/,
  },
  {
    kind: "unknown option key (typo)",
    run: () => parse(base("  a:\n    uses: test.source\n    with: {n: 1, ofset: 2}\n")),
    exit: 2,
    message: /\(steps\.a\.with\.ofset\): test\.source: unknown option "ofset"; options: n, offset/,
  },
  {
    kind: "option of the wrong type",
    run: () => parse(base("  a:\n    uses: test.source\n    with: {n: many}\n")),
    exit: 2,
    message: /\(steps\.a\.with\.n\): test\.source: option "n": .*expected number/,
  },
  {
    kind: "with: a list instead of a mapping",
    run: () => parse(base("  a:\n    uses: test.source\n    with: [1, 2]\n")),
    exit: 2,
    message: /\(steps\.a\.with\): expected a mapping, got a list: with: maps option names to values/,
  },
  {
    kind: "unknown ${params.x}",
    run: () => parse(base("  a:\n    uses: test.source\n    with: {n: '${params.m}'}\n")),
    exit: 2,
    message: /unknown param "\$\{params\.m\}"; declared params: n, flag/,
  },
  {
    kind: "${param.n} (typo: param) in a text option (stayed literal before)",
    run: () => parse(base("  a:\n    uses: ingest.table\n    with: {path: 'x_${param.n}.csv', unit: absorbance}\n")),
    exit: 2,
    message: /\(steps\.a\.with\.path\): "\$\{param\.n\}" is not a param reference; write \$\{params\.NAME\} \(declared params: n, flag\)/,
  },
  {
    kind: "${params.a.b} (dotted) in a text option",
    run: () => parse(base("  a:\n    uses: ingest.table\n    with: {path: 'x_${params.n.b}.csv', unit: absorbance}\n")),
    exit: 2,
    message: /"\$\{params\.n\.b\}" is not a param reference/,
  },
  {
    kind: "-p with a non-number for a number param",
    run: () => parse(base(src), ["n=abc"]),
    exit: 2,
    message: /^--param n=abc: expected a number \(the default is 4\)/,
  },
  {
    kind: "-p with a non-boolean for a boolean param",
    run: () => parse(base(src), ["flag=yes"]),
    exit: 2,
    message: /^--param flag=yes: expected true or false/,
  },
  { kind: "-p without =", run: () => parse(base(src), ["n"]), exit: 2, message: /^--param "n": expected name=value/ },
  {
    kind: "-p of an undeclared param",
    run: () => parse(base(src), ["m=1"]),
    exit: 2,
    message: /^--param m: p\.yaml declares no such param \(declared: n, flag\)/,
  },
  {
    kind: 'checks condition ">= banana" (accepted by run before)',
    run: () => parse(`${base(src)}checks:\n  a.c.r2: ">= banana"\n`),
    exit: 2,
    message: /^p\.yaml:\d+:\d+ \(checks\.a\.c\.r2\): check condition ">= banana": use ">= 0\.9"/,
  },
  {
    kind: "checks with an unknown metric",
    run: () => parse(`${base(src)}checks:\n  a.c.r3: ">= 0.5"\n`),
    exit: 2,
    message: /\(checks\.a\.c\.r3\): check "a\.c\.r3": write <step>\.<target>\.<metric> with metric one of n, r2/,
  },
  {
    kind: "checks with a bad selector",
    run: () => parse(`${base(src)}checks:\n  a.c.r2@fold=1: ">= 0.5"\n`),
    exit: 2,
    message: /selector "fold=1" must be split=, scale=, group= or model=/,
  },
  {
    kind: "ingest.ossl columns.id empty (TypeError before)",
    run: () => parse(base("  a:\n    uses: ingest.ossl\n    with:\n      path: x.csv\n      columns: {id: ''}\n")),
    exit: 2,
    message:
      /\(steps\.a\.with\.columns\.id\): ingest\.ossl: option "columns\.id": columns\.id cannot be empty .*name the column holding the sample ids/,
  },
  {
    kind: "ingest.table unit misspelled",
    run: () => parse(base("  a:\n    uses: ingest.table\n    with: {path: x.csv, unit: absorbtion}\n")),
    exit: 2,
    message: /\(steps\.a\.with\.unit\): ingest\.table: option "unit": .*"absorbance"/,
  },
  {
    kind: "ingest.table encoding not supported",
    run: () => parse(base("  a:\n    uses: ingest.table\n    with: {path: x.csv, unit: absorbance, encoding: utf-16}\n")),
    exit: 2,
    message: /option "encoding": .*"utf-8".*"latin1"/,
  },
  {
    kind: "ingest.opus block not known",
    run: () => parse(base("  a:\n    uses: ingest.opus\n    with: {dir: x, block: ScSm}\n")),
    exit: 2,
    message: /option "block": block: use "AB", "AB_no_atm_comp"/,
  },
  {
    kind: "pipeline file that is not valid UTF-8",
    run: () => {
      const f = join(dir, "latin1.yaml");
      writeFileSync(f, Buffer.concat([Buffer.from("name: caf"), Buffer.from([0xe9]), Buffer.from("\nsteps: {}\n")]));
      return outcome(() => loadPipeline(f, registry));
    },
    exit: 2,
    message: /latin1\.yaml: the pipeline file is not valid UTF-8; save it as UTF-8/,
  },
  {
    kind: "pipeline file that does not exist",
    run: () => outcome(() => loadPipeline(join(dir, "nope.yaml"), registry)),
    exit: 2,
    message: /nope\.yaml: cannot read pipeline file: ENOENT/,
  },
  {
    kind: "pipeline path that is a directory",
    run: () => {
      mkdirSync(join(dir, "isdir.yaml"), { recursive: true });
      return outcome(() => loadPipeline(join(dir, "isdir.yaml"), registry));
    },
    exit: 2,
    message: /isdir\.yaml: cannot read pipeline file: EISDIR/,
  },
  {
    kind: "pipeline file with BOM and CRLF line ends",
    does: "reads it as the same pipeline",
    run: () => parse(`\uFEFF${base(src)}`.replaceAll("\n", "\r\n")),
    exit: 0,
    check: (o) => {
      const p = o.value as { steps: { name: string; options: unknown }[] };
      if (p.steps[0]!.name !== "a" || (p.steps[0]!.options as { n: number }).n !== 3) throw new Error("BOM/CRLF pipeline read wrongly");
    },
  },
];

describe("catalogue: pipeline files, params and checks", () => {
  for (const c of pipelineCases) it(c.kind, () => assertCase(c, "pipeline files"));
});
