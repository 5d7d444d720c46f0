/**
 * Regression gate: the pipeline file's `checks` map `<step>.<target>.<metric>` (optionally
 * `@split=test,scale=gkg,group=all`) to a condition: `>= 0.9`, `< 20`, a range `0.88..0.92`,
 * or a comparison with another metric of the run, `<= 0.8 * plsr-c.c.rmse` (same selectors).
 * A check whose metric (or reference metric) is not found fails.
 */
import { METRIC_NAMES, type MetricRow } from "../contracts/metrics.js";
import { UsageError } from "./errors.js";

export interface CheckResult {
  check: string;
  condition: string;
  value: number | null;
  ok: boolean;
  note: string;
}

const METRICS = new Set<string>(METRIC_NAMES);

type Condition = (v: number, lookup: (ref: string) => number | null) => boolean | null;

const NUM = String.raw`-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`;
const REF = String.raw`[A-Za-z][\w-]*\.[\w-]+\.[a-z0-9_]+`;

function parseCondition(cond: string): Condition {
  const range = new RegExp(`^\\s*(${NUM})\\s*\\.\\.\\s*(${NUM})\\s*$`).exec(cond);
  if (range) {
    const [lo, hi] = [Number(range[1]), Number(range[2])];
    return (v) => v >= lo && v <= hi;
  }
  const cmp = new RegExp(`^\\s*(>=|<=|>|<|==)\\s*(?:(${NUM})\\s*\\*\\s*)?(?:(${NUM})|(${REF}))\\s*$`).exec(cond);
  if (!cmp || (cmp[2] !== undefined && cmp[4] === undefined)) {
    throw new UsageError(`check condition "${cond}": use ">= 0.9", "< 20", a range "0.88..0.92" or "<= 0.8 * <step>.<target>.<metric>"`);
  }
  const op = cmp[1]!;
  const factor = cmp[2] === undefined ? 1 : Number(cmp[2]);
  const compare = (v: number, x: number) =>
    op === ">=" ? v >= x : op === "<=" ? v <= x : op === ">" ? v > x : op === "<" ? v < x : v === x;
  if (cmp[3] !== undefined) {
    const x = Number(cmp[3]);
    return (v) => compare(v, x);
  }
  const ref = cmp[4]!;
  return (v, lookup) => {
    const x = lookup(ref);
    return x === null ? null : compare(v, factor * x);
  };
}

interface Selection {
  step: string;
  target: string;
  metric: keyof MetricRow;
  want: Record<string, string>;
}

function parseSelection(check: string, path: string, selector: string): Selection {
  const parts = path.split(".");
  if (parts.length !== 3 || !METRICS.has(parts[2]!)) {
    throw new UsageError(`check "${check}": write <step>.<target>.<metric> with metric one of ${[...METRICS].join(", ")}`);
  }
  const want: Record<string, string> = { split: "test", scale: "gkg", group: "all" };
  for (const kv of selector.split(",").filter(Boolean)) {
    const [k, v] = kv.split("=");
    if (!k || v === undefined || !(k in want || k === "model")) {
      throw new UsageError(`check "${check}": selector "${kv}" must be split=, scale=, group= or model=`);
    }
    want[k] = v;
  }
  return { step: parts[0]!, target: parts[1]!, metric: parts[2] as keyof MetricRow, want };
}

function find(rows: readonly MetricRow[], s: Selection): { value: number | null; matches: number } {
  const hits = rows.filter(
    (r) => r.step === s.step && r.target === s.target && Object.entries(s.want).every(([k, v]) => String(r[k as keyof MetricRow]) === v),
  );
  const value = hits.length ? (hits[0]![s.metric] as number | null) : null;
  return { value: value !== null && Number.isFinite(value) ? value : null, matches: hits.length };
}

export function evaluateChecks(checks: Readonly<Record<string, string>>, rows: readonly MetricRow[]): CheckResult[] {
  return Object.entries(checks).map(([check, condition]) => {
    const [path, selector = ""] = check.split("@");
    const sel = parseSelection(check, path!, selector);
    const test = parseCondition(condition);
    const { value, matches } = find(rows, sel);
    if (matches === 0) return { check, condition, value: null, ok: false, note: "no metric row matches" };
    if (value === null) return { check, condition, value: null, ok: false, note: "metric not computed" };
    let refNote = "";
    const lookup = (ref: string) => {
      const r = find(rows, parseSelection(check, ref, selector));
      refNote = r.value === null ? `reference ${ref} not found` : `${ref} = ${r.value.toPrecision(4)}`;
      return r.value;
    };
    const ok = test(value, lookup);
    const notes = [refNote, matches > 1 ? `${matches} rows matched; first used` : ""].filter(Boolean).join("; ");
    return { check, condition, value, ok: ok === true, note: notes };
  });
}
