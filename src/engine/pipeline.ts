/**
 * Pipeline files: parse YAML (keeping line numbers), apply `--param` overrides, interpolate
 * `${params.x}`, validate every step against its registered type — all before anything runs.
 * Every problem names file:line and the key path, and all problems are reported at once.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { topologicalOrder } from "./dag.js";
import { UsageError, ValidationErrors, type SourceLocation } from "./errors.js";
import { sha256 } from "./hash.js";
import type { StepDefinition } from "./step.js";

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
  readonly definition: StepDefinition;
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
}

const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

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
    }),
  ),
});

type FileShape = z.infer<typeof fileSchema>;

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
  const params = { ...declared };
  for (const raw of overrides) {
    const eq = raw.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param "${raw}": expected name=value`);
    const key = raw.slice(0, eq);
    const text = raw.slice(eq + 1);
    if (!(key in declared)) {
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
  onUnknown: (name: string, path: (string | number)[]) => void,
): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) {
      const name = whole[1]!;
      if (!(name in params)) onUnknown(name, path);
      return params[name];
    }
    return value.replace(PART, (_, name: string) => {
      if (!(name in params)) onUnknown(name, path);
      return String(params[name]);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, params, [...path, i], onUnknown));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, params, [...path, k], onUnknown)]),
    );
  }
  return value;
}

export interface LoadOptions {
  overrides?: readonly string[];
}

export async function loadPipeline(file: string, registry: Registry, opts: LoadOptions = {}): Promise<Pipeline> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read pipeline file: ${(e as Error).message}`, { file });
  }
  return parsePipeline(file, text, registry, opts);
}

export function parsePipeline(file: string, text: string, registry: Registry, opts: LoadOptions = {}): Pipeline {
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
  const shape = fileSchema.safeParse(doc.toJS());
  if (!shape.success) {
    throw new ValidationErrors(
      shape.error.issues.map((issue) => new UsageError(issue.message, at.at(issue.path as (string | number)[]))),
    );
  }
  const spec: FileShape = shape.data;
  const params = applyParamOverrides(file, spec.params ?? {}, opts.overrides ?? []);
  const problems: UsageError[] = [];
  const known = [...registry.keys()].sort().join(", ");
  const stepNames = new Set(Object.keys(spec.steps));
  const resolved: ResolvedStep[] = [];

  for (const [name, step] of Object.entries(spec.steps)) {
    const base = ["steps", name];
    if (!STEP_NAME.test(name)) {
      problems.push(new UsageError(`step name "${name}": start with a letter and use letters, digits, - and _`, at.at(base)));
      continue;
    }
    const definition = registry.get(step.uses);
    if (!definition) {
      problems.push(new UsageError(`unknown step type "${step.uses}"; known types: ${known}`, at.at([...base, "uses"])));
      continue;
    }
    const needs = step.needs ?? [];
    needs.forEach((dep, i) => {
      if (!stepNames.has(dep)) {
        problems.push(new UsageError(`needs "${dep}", which is not a step of this pipeline`, at.at([...base, "needs", i])));
      } else if (dep === name) {
        problems.push(new UsageError(`step "${name}" needs itself`, at.at([...base, "needs", i])));
      }
    });
    const inputs = step.inputs ?? {};
    for (const [output, from] of Object.entries(inputs)) {
      if (!needs.includes(from)) {
        problems.push(
          new UsageError(
            `inputs.${output}: "${from}" is not in this step's needs (${needs.join(", ") || "none"}); name a needed step or add it to needs`,
            at.at([...base, "inputs", output]),
          ),
        );
      }
    }
    const rawOptions = interpolate(step.with ?? {}, params, [...base, "with"], (param, path) =>
      problems.push(
        new UsageError(
          `unknown param "\${params.${param}}"; declared params: ${Object.keys(params).join(", ") || "none"}`,
          at.at(path),
        ),
      ),
    ) as Record<string, unknown>;
    const parsed = definition.options.safeParse(rawOptions);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = [...base, "with", ...(issue.path as (string | number)[])];
        if (issue.code === "unrecognized_keys") {
          const allowed = optionNames(definition);
          for (const key of issue.keys) {
            problems.push(
              new UsageError(`${step.uses}: unknown option "${key}"${allowed ? `; options: ${allowed}` : ""}`, at.at([...path, key])),
            );
          }
        } else problems.push(new UsageError(`${step.uses}: ${describeIssue(issue)}`, at.at(path)));
      }
      continue;
    }
    resolved.push({
      name,
      type: step.uses,
      needs,
      inputs,
      options: parsed.data,
      always: step.always ?? false,
      definition,
      line: at.at(base).line,
    });
  }
  if (problems.length === 0) {
    const dag = topologicalOrder(Object.entries(spec.steps).map(([name, s]) => ({ name, needs: s.needs ?? [] })));
    if ("cycle" in dag) {
      problems.push(new UsageError(`steps form a cycle: ${dag.cycle.join(" -> ")}`, at.at(["steps", dag.cycle[0]!])));
    } else {
      const byName = new Map(resolved.map((s) => [s.name, s]));
      return {
        file,
        name: spec.name,
        description: spec.description ?? "",
        hash: sha256(text),
        params,
        checks: spec.checks ?? {},
        steps: dag.order.map((n) => byName.get(n)!),
      };
    }
  }
  throw new ValidationErrors(problems);
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
