/**
 * Pipeline files: parse YAML (keeping line numbers), apply `--param` overrides, interpolate
 * `${params.x}`, validate every step against its registered type — all before anything runs.
 * Every problem names file:line and the key path, and all problems are reported at once.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { evaluateChecks } from "./checks.js";
import { topologicalOrder } from "./dag.js";
import { UsageError, ValidationErrors, type SourceLocation } from "./errors.js";
import { sha256 } from "./hash.js";
import { pipelineText } from "./pipeline-text.js";
import { resolveResources, resourcesSchema, type Resources } from "./resources.js";
import { expandMatrix } from "./matrix.js";
import type { StepCode, StepDefinition } from "./step.js";

export type ParamValue = number | string | boolean;
export type Registry = ReadonlyMap<string, StepDefinition>;

export interface ResolvedStep {
  readonly name: string;
  readonly type: string;
  readonly needs: readonly string[];
  /**
   * `inputs:` output name → the needed step that provides it, for steps whose needs provide
   * the same output more than once (e.g. a raw and a preprocessed `spectra`). Empty when unset.
   */
  readonly inputs: Readonly<Record<string, string>>;
  /** `with:` parsed by the step's schema (defaults filled in). */
  readonly options: unknown;
  readonly always: boolean;
  /** Compute resources (threads locally; sbatch options under SLURM); not part of the cache key. */
  readonly resources: Resources;
  /** True when the pipeline file sets `resources.cpus` (the local executor then uses it as the step's threads). */
  readonly cpusSet: boolean;
  /** `needs_ok: any`: runs when at least one need finished (failed ones are left out); default all. */
  readonly needsOk?: "all" | "any";
  /** The step type's code and key parts (the full definition, or a memo's stand-in: pipeline-memo.ts). */
  readonly definition: StepCode;
  readonly line: number | undefined;
}

export interface Pipeline {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** Hash of the file's text (the run record keeps it). */
  readonly hash: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly checks: Readonly<Record<string, string>>;
  /** In topological order. */
  readonly steps: readonly ResolvedStep[];
  /** Set when the pipeline came from a memo instead of a full load (pipeline-memo.ts): the memo's path. */
  readonly memo?: string;
}

const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Step names become file and folder names: kept short enough for every file system. */
export const MAX_STEP_NAME = 100;
/** YAML aliases allowed when building the document (a "billion laughs" file needs thousands). */
export const MAX_YAML_ALIASES = 1000;
/**
 * Keys that would reach an object's prototype when used as property names: a step, param or
 * option with one of these names is refused (it would vanish or read Object's own members).
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Own-property lookup (never the prototype chain). */
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Paths of every forbidden key in a parsed YAML value. */
function forbiddenKeyPaths(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(value)) value.forEach((v, i) => forbiddenKeyPaths(v, [...path, i], out));
  else if (value && typeof value === "object") {
    for (const k of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(k)) out.push([...path, k]);
      forbiddenKeyPaths((value as Record<string, unknown>)[k], [...path, k], out);
    }
  }
  return out;
}

const fileSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  checks: z.record(z.string(), z.string()).optional(),
  steps: z.record(
    z.string(),
    z.strictObject({
      uses: z.string(),
      needs: z.array(z.string()).optional(),
      inputs: z.record(z.string(), z.string()).optional(),
      with: z.record(z.string(), z.unknown()).optional(),
      always: z.boolean().optional(),
      // Checked after `${params.x}` interpolation (resourcesSchema).
      resources: z.record(z.string(), z.unknown()).optional(),
      /** Step template: expanded by src/engine/matrix.ts. */
      matrix: z.unknown().optional(),
      needs_ok: z.enum(["all", "any"]).optional(),
    }),
  ),
});

type FileShape = z.infer<typeof fileSchema>;

/** What each part of a pipeline file looks like, for "expected X, got Y" messages. */
const SHAPE_HINTS: Record<string, string> = {
  "": "a pipeline file is a mapping with name:, steps: and optionally description:, params:, checks:",
  steps: "steps: maps each step name to its uses:, with:, needs:",
  step: "a step is a mapping with uses: and optionally with:, needs:, always:",
  with: "with: maps option names to values",
  needs: "needs: is a list of step names, e.g. [ingest, split]",
  params: "params: maps names to numbers, strings or booleans",
  checks: 'checks: maps <step>.<target>.<metric> to a condition such as ">= 0.9"',
};

class Locator {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Where a key path points in the file (the deepest existing node on the path). */
  at(path: readonly (string | number)[]): SourceLocation {
    for (let k = path.length; k >= 0; k--) {
      const node = this.doc.getIn(path.slice(0, k), true) as { range?: [number, number, number] } | undefined;
      if (node && node.range) {
        const pos = this.lines.linePos(node.range[0]);
        return { file: this.file, line: pos.line, column: pos.col, path: path.join(".") || undefined };
      }
    }
    return { file: this.file, path: path.join(".") || undefined };
  }
}

/** Parses `--param k=v` against the declared params; the value takes the default's type. */
export function applyParamOverrides(
  file: string,
  declared: Record<string, ParamValue>,
  overrides: readonly string[],
): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = Object.assign(Object.create(null) as Record<string, ParamValue>, declared);
  for (const raw of overrides) {
    const eq = raw.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param "${raw}": expected name=value`);
    const key = raw.slice(0, eq);
    const text = raw.slice(eq + 1);
    if (FORBIDDEN_KEYS.has(key)) throw new UsageError(`--param ${key}: "${key}" cannot be a param name; use another name`);
    if (!has(declared, key)) {
      const known = Object.keys(declared).join(", ") || "none";
      throw new UsageError(`--param ${key}: ${file} declares no such param (declared: ${known})`);
    }
    const def = declared[key]!;
    if (typeof def === "number") {
      const v = Number(text);
      if (text.trim() === "" || !Number.isFinite(v)) {
        throw new UsageError(`--param ${key}=${text}: expected a number (the default is ${def})`);
      }
      params[key] = v;
    } else if (typeof def === "boolean") {
      if (text !== "true" && text !== "false") {
        throw new UsageError(`--param ${key}=${text}: expected true or false`);
      }
      params[key] = text === "true";
    } else params[key] = text;
  }
  return params;
}

const WHOLE = /^\$\{params\.([A-Za-z0-9_]+)\}$/;
const PART = /\$\{params\.([A-Za-z0-9_]+)\}/g;

/** Replaces `${params.x}`: a whole-string reference keeps the param's type, else text interpolation. */
function interpolate(
  value: unknown,
  params: Record<string, ParamValue>,
  path: (string | number)[],
  onUnknown: (name: string, path: (string | number)[], malformed?: boolean) => void,
): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) {
      const name = whole[1]!;
      if (!has(params, name)) onUnknown(name, path);
      return has(params, name) ? params[name] : value;
    }
    const out = value.replace(PART, (whole: string, name: string) => {
      if (!has(params, name)) {
        onUnknown(name, path);
        return whole;
      }
      return String(params[name]);
    });
    // `${param.n}`, `${params.a.b}`, `${n}`: a reference that would otherwise stay as literal text
    const stray = /\$\{(?!params\.[A-Za-z0-9_]+\})[^}]*\}/.exec(value);
    if (stray) onUnknown(stray[0].slice(2, -1), path, true);
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, params, [...path, i], onUnknown));
  if (value && typeof value === "object") {
    // No prototype: option objects carry only what the file says.
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, params, [...path, k], onUnknown);
    return out;
  }
  return value;
}

export interface LoadOptions {
  overrides?: readonly string[];
}

/**
 * The registry, or a function that builds it from the step types the file names (`uses:`):
 * the CLI loads only those step modules, from the same YAML parse.
 */
export type RegistrySource = Registry | ((usedTypes: string[]) => Promise<Registry>);

export async function loadPipeline(file: string, registry: RegistrySource, opts: LoadOptions = {}): Promise<Pipeline> {
  let text: string;
  try {
    const bytes = await readFile(file);
    try {
      text = pipelineText(bytes);
    } catch {
      throw new UsageError("the pipeline file is not valid UTF-8; save it as UTF-8", { file });
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read pipeline file: ${(e as Error).message}`, { file });
  }
  const parsed = parseFile(file, text);
  if (typeof registry !== "function") return resolvePipeline(file, parsed, registry, opts);
  const used = [...new Set(Object.values(parsed.data.steps).map((s) => s.uses))];
  return resolvePipeline(file, parsed, await registry(used), opts);
}

export function parsePipeline(file: string, text: string, registry: Registry, opts: LoadOptions = {}): Pipeline {
  return resolvePipeline(file, parseFile(file, text), registry, opts);
}

/** The file parsed and checked against the file schema (YAML syntax, reserved keys, shape). */
interface ParsedFile {
  at: Locator;
  data: FileShape;
  /** sha256 of the file's text. */
  hash: string;
}

function parseFile(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ValidationErrors(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return new UsageError(`YAML syntax: ${e.message.split("\n")[0]}`, {
          file,
          line: pos?.line,
          column: pos?.col,
        });
      }),
    );
  }
  const at = new Locator(file, doc, lines);
  if (text.trim() === "" || doc.contents === null) {
    throw new UsageError("the file is empty (or only comments); a pipeline needs name: and steps:", { file, line: 1 });
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    if (e instanceof ReferenceError || /alias/i.test((e as Error).message)) {
      throw new UsageError(
        `YAML aliases expand too far (${(e as Error).message.split("\n")[0]}); a pipeline file needs no more than ${MAX_YAML_ALIASES} alias uses — write the values out`,
        { file },
      );
    }
    throw e;
  }
  const forbidden = forbiddenKeyPaths(js);
  if (forbidden.length > 0) {
    throw new ValidationErrors(
      forbidden.map(
        (p) =>
          new UsageError(
            `"${p[p.length - 1]}" cannot be used as a name (step, param or option key): it is reserved by JavaScript; rename it`,
            at.at(p),
          ),
      ),
    );
  }
  const shape = fileSchema.safeParse(js);
  if (!shape.success) {
    throw new ValidationErrors(
      shape.error.issues.map((issue) => {
        const path = issue.path as (string | number)[];
        // zod says "expected string, received undefined" for a missing key: say it is missing
        const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
        const wrong = /^Invalid input: expected (\w+), received (\w+)$/.exec(issue.message);
        const key = path.length === 0 ? "" : path.length === 2 && path[0] === "steps" ? "step" : String(path[path.length - 1]);
        const message =
          missing && path.length
            ? `"${path[path.length - 1]}" is missing (expected ${missing[1]}); add it`
            : wrong
              ? `expected ${wrong[1] === "record" ? "a mapping" : wrong[1]}, got ${wrong[2] === "array" ? "a list" : wrong[2]}${SHAPE_HINTS[key] ? `: ${SHAPE_HINTS[key]}` : ""}`
              : issue.message;
        return new UsageError(message, at.at(path));
      }),
    );
  }
  return { at, data: shape.data, hash: sha256(text) };
}

/** Steps resolved against the registry: matrix expansion, params, needs, inputs and options. */
function resolvePipeline(file: string, parsed: ParsedFile, registry: Registry, opts: LoadOptions): Pipeline {
  const { at, data } = parsed;
  const expansion = expandMatrix(data.steps);
  if (expansion.problems.length > 0) {
    throw new ValidationErrors(expansion.problems.map((p) => new UsageError(p.message, at.at(p.path))));
  }
  const spec = { ...data, steps: expansion.steps } as FileShape;
  const c: StepScope = {
    at,
    registry,
    params: applyParamOverrides(file, spec.params ?? {}, opts.overrides ?? []),
    problems: [],
    stepNames: new Set(Object.keys(spec.steps)),
  };
  const resolved: ResolvedStep[] = [];
  for (const [name, step] of Object.entries(spec.steps)) {
    const r = resolveStep(name, expansion.origin.get(name) ?? name, step, c);
    if (r) resolved.push(r);
  }
  // Checks are parsed now, so a bad condition stops `run` before any step computes.
  for (const [check, condition] of Object.entries(spec.checks ?? {})) {
    try {
      evaluateChecks({ [check]: condition }, []);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      c.problems.push(new UsageError(e.message, at.at(["checks", check])));
    }
  }
  if (c.problems.length === 0) {
    const dag = topologicalOrder(Object.entries(spec.steps).map(([name, s]) => ({ name, needs: s.needs ?? [] })));
    if ("cycle" in dag) {
      c.problems.push(new UsageError(`steps form a cycle: ${dag.cycle.join(" -> ")}`, at.at(["steps", dag.cycle[0]!])));
    } else {
      const byName = new Map(resolved.map((s) => [s.name, s]));
      return {
        file,
        name: spec.name,
        description: spec.description ?? "",
        hash: parsed.hash,
        params: c.params,
        checks: spec.checks ?? {},
        steps: dag.order.map((n) => byName.get(n)!),
      };
    }
  }
  throw new ValidationErrors(c.problems);
}

/** What resolving one step sees of the file; `problems` collects every error, so all are reported at once. */
interface StepScope {
  at: Locator;
  registry: Registry;
  params: Record<string, ParamValue>;
  problems: UsageError[];
  stepNames: ReadonlySet<string>;
}

type FileStep = FileShape["steps"][string];

/** One step of the file (after matrix expansion; `written` is its name in the file), or null when it has problems. */
function resolveStep(name: string, written: string, step: FileStep, c: StepScope): ResolvedStep | null {
  const { at, problems } = c;
  const base = ["steps", written];
  if (!STEP_NAME.test(written) || name.length > MAX_STEP_NAME) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    problems.push(
      new UsageError(
        name.length > MAX_STEP_NAME
          ? `step name "${shown}" has ${name.length} characters; at most ${MAX_STEP_NAME} (it becomes a file name)`
          : `step name "${shown}": start with a letter and use letters, digits, - and _`,
        at.at(base),
      ),
    );
    return null;
  }
  const definition = c.registry.get(step.uses);
  if (!definition) {
    const known = [...c.registry.keys()].sort().join(", ");
    problems.push(new UsageError(`unknown step type "${step.uses}"; known types: ${known}`, at.at([...base, "uses"])));
    return null;
  }
  const needs = step.needs ?? [];
  const inputs = step.inputs ?? {};
  checkNeeds(name, needs, inputs, base, c);
  const res = stepResources(step, base, c);
  const options = stepOptions(step, definition, base, c);
  if (options === INVALID) return null;
  return {
    name,
    type: step.uses,
    needs,
    inputs,
    options,
    always: step.always ?? false,
    resources: resolveResources(res, definition.resources),
    cpusSet: res?.cpus !== undefined,
    ...(step.needs_ok ? { needsOk: step.needs_ok } : {}),
    definition,
    line: at.at(base).line,
  };
}

function checkNeeds(name: string, needs: readonly string[], inputs: Record<string, string>, base: string[], c: StepScope): void {
  needs.forEach((dep, i) => {
    if (!c.stepNames.has(dep)) {
      c.problems.push(new UsageError(`needs "${dep}", which is not a step of this pipeline`, c.at.at([...base, "needs", i])));
    } else if (dep === name) {
      c.problems.push(new UsageError(`step "${name}" needs itself`, c.at.at([...base, "needs", i])));
    }
  });
  for (const [output, from] of Object.entries(inputs)) {
    if (!needs.includes(from)) {
      c.problems.push(
        new UsageError(
          `inputs.${output}: "${from}" is not in this step's needs (${needs.join(", ") || "none"}); name a needed step or add it to needs`,
          c.at.at([...base, "inputs", output]),
        ),
      );
    }
  }
}

/** `resources:` with params filled in and parsed; undefined when unset or invalid (its problems recorded). */
function stepResources(step: FileStep, base: string[], c: StepScope): z.output<typeof resourcesSchema> | undefined {
  const raw = interpolate(step.resources ?? {}, c.params, [...base, "resources"], (param, path) =>
    c.problems.push(new UsageError(`unknown param "\${params.${param}}"`, c.at.at(path))),
  );
  const res = resourcesSchema.safeParse(raw);
  if (res.success) return res.data;
  for (const issue of res.error.issues) {
    const path = [...base, "resources", ...(issue.path as (string | number)[])];
    const keys = issue.code === "unrecognized_keys" ? `: ${issue.keys.join(", ")} (known: cpus, mem, time, gpus)` : "";
    c.problems.push(new UsageError(`resources: ${issue.message}${keys}`, c.at.at(path)));
  }
  return undefined;
}

const INVALID = Symbol("invalid options");

/** `with:` with params filled in, parsed by the step type's schema; INVALID when it does not parse (its problems recorded). */
function stepOptions(step: FileStep, definition: StepDefinition, base: string[], c: StepScope): unknown {
  const { params } = c;
  const rawOptions = interpolate(step.with ?? {}, params, [...base, "with"], (param, path, malformed) =>
    c.problems.push(
      new UsageError(
        malformed
          ? `"\${${param}}" is not a param reference; write \${params.NAME} (declared params: ${Object.keys(params).join(", ") || "none"}), or remove the \${…}`
          : `unknown param "\${params.${param}}"; declared params: ${Object.keys(params).join(", ") || "none"}`,
        c.at.at(path),
      ),
    ),
  ) as Record<string, unknown>;
  const parsed = definition.options.safeParse(rawOptions);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const path = [...base, "with", ...(issue.path as (string | number)[])];
    if (issue.code === "unrecognized_keys") {
      const allowed = optionNames(definition);
      for (const key of issue.keys) {
        c.problems.push(
          new UsageError(`${step.uses}: unknown option "${key}"${allowed ? `; options: ${allowed}` : ""}`, c.at.at([...path, key])),
        );
      }
    } else c.problems.push(new UsageError(`${step.uses}: ${describeIssue(issue)}`, c.at.at(path)));
  }
  return INVALID;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length ? `option "${issue.path.join(".")}"` : "options";
  return `${key}: ${issue.message}`;
}

/** Top-level option names of a step's schema, for "did you mean" style listings. */
function optionNames(def: StepDefinition): string {
  const shape = (def.options as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).join(", ") : "";
}
