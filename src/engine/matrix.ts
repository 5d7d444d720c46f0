/**
 * Step matrices: one step template in a pipeline file that the engine expands into ordinary
 * steps, one per combination of its matrix values (as GitHub Actions matrices, Snakemake
 * wildcards or R targets' branching do), so each combination is cached, planned and run on
 * its own:
 *
 *   train:
 *     uses: some.step
 *     matrix: { fold: [0, 1, 2], model: [a, b] }   # or fold: { range: 3 } for 0…2
 *     with: { test_fold: "${matrix.fold}", kind: "m-${matrix.model}" }
 *
 * becomes `train.fold-0.model-a`, `train.fold-0.model-b`, … (`name.key-value…` in the
 * matrix's key order: file-name and shell safe, and never a plain step name, which has no dot).
 * `${matrix.key}` alone keeps the value's type; inside text it is substituted as text.
 * `needs` naming a matrix step means all its instances — or, from another matrix step whose
 * matrix has every key of the needed one, only the instance with the same values (fold 3
 * of a predict step needs fold 3 of its train step). Generic: nothing here knows any step type.
 */

export type MatrixValue = string | number | boolean;

/** A step as written in the file, before expansion (only the keys this module touches). */
export interface TemplateStep {
  uses: string;
  needs?: string[];
  with?: Record<string, unknown>;
  matrix?: unknown;
  [other: string]: unknown;
}

export interface MatrixProblem {
  message: string;
  /** Key path in the file, e.g. ["steps", "train", "matrix", "fold", 2]. */
  path: (string | number)[];
}

export interface Expansion {
  /** Ordinary steps (no `matrix` key), in file order, instances in matrix order. */
  steps: Record<string, TemplateStep>;
  /** Expanded step name → the name of the step in the file (for locations in messages). */
  origin: Map<string, string>;
  /** Matrix step name → its instances. */
  instances: Map<string, string[]>;
  problems: MatrixProblem[];
}

const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
const VALUE = /^[A-Za-z0-9_+-]+$/;
/** A guard against a typo expanding into millions of steps. */
export const MAX_INSTANCES = 10_000;
const WHOLE = /^\$\{matrix\.([A-Za-z0-9_]+)\}$/;
const PART = /\$\{matrix\.([A-Za-z0-9_]+)\}/g;

/** The name of one instance: `name.key-value…`. */
export function instanceName(step: string, combo: readonly (readonly [string, MatrixValue])[]): string {
  return [step, ...combo.map(([k, v]) => `${k}-${String(v)}`)].join(".");
}

/**
 * Instances among `names` selected by `selector`: a matrix step's name (all its instances), or
 * that name followed by `.key-value` segments (the instances having all of those segments).
 */
export function selectInstances(selector: string, names: readonly string[]): string[] {
  const [base, ...want] = selector.split(".");
  return names.filter((n) => {
    const [b, ...segments] = n.split(".");
    return b === base && segments.length > 0 && want.every((w) => segments.includes(w));
  });
}

function matrixValues(raw: unknown, path: (string | number)[], problems: MatrixProblem[]): [string, MatrixValue[]][] | null {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({ message: "matrix must be a mapping of key: [values] (e.g. fold: [0, 1, 2] or fold: {range: 10})", path });
    return null;
  }
  const out: [string, MatrixValue[]][] = [];
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const at = [...path, key];
    if (!KEY.test(key)) {
      problems.push({ message: `matrix key "${key}": start with a letter, then letters, digits and _`, path: at });
      continue;
    }
    let values: unknown[];
    if (Array.isArray(v)) values = v;
    else if (v && typeof v === "object" && Object.keys(v).length === 1 && "range" in v) {
      const n = (v as { range: unknown }).range;
      if (!(typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_INSTANCES)) {
        problems.push({
          message: `matrix.${key}.range must be an integer 1…${MAX_INSTANCES} (got ${JSON.stringify(n)})`,
          path: [...at, "range"],
        });
        continue;
      }
      values = Array.from({ length: n }, (_, i) => i);
    } else {
      problems.push({ message: `matrix.${key} must be a list of values or {range: n}`, path: at });
      continue;
    }
    if (values.length === 0) {
      problems.push({ message: `matrix.${key} is empty: list at least one value`, path: at });
      continue;
    }
    const seen = new Set<string>();
    let ok = true;
    values.forEach((x, i) => {
      const text = String(x);
      if (!(typeof x === "number" || typeof x === "string" || typeof x === "boolean") || !VALUE.test(text)) {
        problems.push({
          message: `matrix.${key}[${i}] = ${JSON.stringify(x)}: values must be integers, booleans or words of letters, digits, _ - + (they become part of step names, where a dot separates keys: list an index and look the value up)`,
          path: [...at, i],
        });
        ok = false;
      } else if (seen.has(text)) {
        problems.push({ message: `matrix.${key}[${i}] = ${text} is listed twice`, path: [...at, i] });
        ok = false;
      }
      seen.add(text);
    });
    if (ok) out.push([key, values as MatrixValue[]]);
  }
  if (out.length === 0 && problems.length === 0) problems.push({ message: "matrix has no keys", path });
  return out;
}

function combinations(axes: [string, MatrixValue[]][]): [string, MatrixValue][][] {
  let acc: [string, MatrixValue][][] = [[]];
  for (const [key, values] of axes) acc = acc.flatMap((c) => values.map((v) => [...c, [key, v] as [string, MatrixValue]]));
  return acc;
}

/** Replaces `${matrix.key}` (see the module comment); unknown keys are reported. */
function substitute(
  value: unknown,
  env: ReadonlyMap<string, MatrixValue> | null,
  path: (string | number)[],
  problems: MatrixProblem[],
): unknown {
  if (typeof value === "string") {
    const unknown = (key: string) =>
      problems.push({
        message: env
          ? `unknown matrix key "\${matrix.${key}}"; this step's matrix has: ${[...env.keys()].join(", ")}`
          : `"\${matrix.${key}}" is used but this step has no matrix`,
        path,
      });
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = env?.get(whole[1]!);
      if (v === undefined) unknown(whole[1]!);
      return v ?? value;
    }
    return value.replace(PART, (m, key: string) => {
      const v = env?.get(key);
      if (v === undefined) unknown(key);
      return v === undefined ? m : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, env, [...path, i], problems));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, env, [...path, k], problems)]));
  }
  return value;
}

/** Expands every matrix step of `steps` (see the module comment). Problems are collected, not thrown. */
export function expandMatrix(steps: Readonly<Record<string, TemplateStep>>): Expansion {
  const x = new MatrixExpander(steps);
  const out: Record<string, TemplateStep> = {};
  const origin = new Map<string, string>();
  for (const [name, step] of Object.entries(steps)) {
    if (step.matrix === undefined) {
      out[name] = x.plainStep(name, step);
      origin.set(name, name);
      continue;
    }
    const axes = x.axesOf.get(name);
    if (!axes) continue;
    for (const combo of combinations(axes)) {
      const inst = instanceName(name, combo);
      out[inst] = x.instance(name, step, new Map(combo));
      origin.set(inst, name);
    }
  }
  // One problem per location: every instance repeats its template's mistakes.
  const seen = new Set<string>();
  const unique = x.problems.filter((p) => {
    const k = `${p.path.join(".")}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { steps: out, origin, instances: x.instances, problems: unique };
}

type Env = ReadonlyMap<string, MatrixValue> | null;

/** The matrix steps' axes and instance names, and how a step's `needs`, `inputs` and `with` read through them. */
class MatrixExpander {
  readonly problems: MatrixProblem[] = [];
  readonly axesOf = new Map<string, [string, MatrixValue[]][]>();
  readonly instances = new Map<string, string[]>();

  constructor(steps: Readonly<Record<string, TemplateStep>>) {
    for (const [name, step] of Object.entries(steps)) {
      if (step.matrix === undefined) continue;
      const axes = matrixValues(step.matrix, ["steps", name, "matrix"], this.problems);
      if (!axes || axes.length === 0) continue;
      const count = axes.reduce((a, [, v]) => a * v.length, 1);
      if (count > MAX_INSTANCES) {
        this.problems.push({
          message: `matrix expands to ${count} steps (more than ${MAX_INSTANCES}): split it`,
          path: ["steps", name, "matrix"],
        });
        continue;
      }
      this.axesOf.set(name, axes);
      this.instances.set(
        name,
        combinations(axes).map((c) => instanceName(name, c)),
      );
    }
  }

  /** A step without a matrix: its needs may name matrix steps (all their instances). */
  plainStep(name: string, step: TemplateStep): TemplateStep {
    const { matrix: _m, ...rest } = step;
    const out: TemplateStep = {
      ...rest,
      needs: this.needs(name, step.needs, null),
      with: substitute(step.with, null, ["steps", name, "with"], this.problems) as TemplateStep["with"],
    };
    if (step.needs === undefined) delete out.needs;
    if (step.with === undefined) delete out.with;
    if (step.inputs !== undefined) out.inputs = this.inputs(name, step.inputs, null);
    return out;
  }

  /** One combination of a matrix step, its `${matrix.key}` filled from `env`. */
  instance(name: string, step: TemplateStep, env: ReadonlyMap<string, MatrixValue>): TemplateStep {
    const { matrix: _m, ...rest } = step;
    return {
      ...rest,
      ...(step.needs ? { needs: this.needs(name, step.needs, env) } : {}),
      ...(step.with ? { with: substitute(step.with, env, ["steps", name, "with"], this.problems) as Record<string, unknown> } : {}),
      ...(step.inputs !== undefined ? { inputs: this.inputs(name, step.inputs, env) } : {}),
    };
  }

  /** The instance of matrix step `text` with the same values as `env`, when `env` has every key of its matrix. */
  private paired(text: string, env: Env): string | null {
    const axes = this.axesOf.get(text);
    if (!axes || !env || !axes.every(([k]) => env.has(k))) return null;
    return instanceName(
      text,
      axes.map(([k]) => [k, env.get(k)!] as const),
    );
  }

  private needs(name: string, needs: readonly string[] | undefined, env: Env): string[] | undefined {
    if (!needs) return undefined;
    return needs.flatMap((dep, i) => {
      const text = substitute(dep, env, ["steps", name, "needs", i], this.problems) as string;
      if (!this.axesOf.has(text)) return [text];
      // Same values on the keys both matrices share → the matching instance only.
      const one = this.paired(text, env);
      return one ? [one] : this.instances.get(text)!;
    });
  }

  /** `inputs: {output: step}` (route an output to one need): a matrix step there means the paired instance. */
  private inputs(name: string, inputs: unknown, env: Env): unknown {
    if (!inputs || typeof inputs !== "object" || Array.isArray(inputs)) return inputs;
    return Object.fromEntries(
      Object.entries(inputs as Record<string, unknown>).map(([k, v]) => {
        if (typeof v !== "string") return [k, v];
        const text = substitute(v, env, ["steps", name, "inputs", k], this.problems) as string;
        return [k, this.paired(text, env) ?? text];
      }),
    );
  }
}
