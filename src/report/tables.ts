/** Locating a run's tables and describing their absence, shared by the page data functions. */
import type { RunView } from "./run-view.js";

export interface TableRef {
  step: string;
  path: string;
}

/** Every Parquet table `name` in the run, in the run's step order. */
export function findTables(view: RunView, name: string): TableRef[] {
  const order = new Map(view.run.steps.map((s, i) => [s.name, i] as const));
  const refs: TableRef[] = [];
  for (const step of view.stepsWith(name)) {
    const path = view.tablePath(step, name);
    if (path !== null) refs.push({ step, path });
  }
  return refs.sort((a, b) => (order.get(a.step) ?? 1e9) - (order.get(b.step) ?? 1e9));
}

/** A section the run cannot fill: the page shows `absent` as a visible note. */
export interface Absent {
  absent: string;
}

export function absentTable(name: string, purpose: string): Absent {
  return {
    absent: `No step of this run wrote a \`${name}\` table, so ${purpose} cannot be shown (the pipeline may not have that step).`,
  };
}

export function isAbsent(x: unknown): x is Absent {
  return typeof x === "object" && x !== null && "absent" in x;
}
