/**
 * Several ingested libraries as one: samples concatenated (union of columns, missing cells
 * NaN/null), spectra blocks side by side, and sample ids made unique across sources, either
 * by prefixing every clashing id with its source or by refusing the merge.
 */
import type { SpectraBlock } from "../core/spectra/block.js";
import type { Column, Table } from "../core/table.js";
import { tableRowCount } from "../core/table.js";

export interface LibraryPart {
  /** Upstream step name, for messages. */
  name: string;
  samples: Table;
  blocks: readonly SpectraBlock[];
  truth?: Table;
}

export type DuplicatePolicy = "prefix" | "reject";

export class MergeError extends Error {
  override readonly name = "MergeError";
}

export interface MergeResult {
  samples: Table;
  blocks: SpectraBlock[];
  truth: Table | null;
  report: {
    parts: { step: string; rows: number; blocks: number }[];
    rows: number;
    duplicate_ids: number;
    renamed_rows: number;
    duplicate_examples: { id: string; sources: string[] }[];
  };
}

type Kind = "number" | "text" | "flag";
function kindOf(col: Column): Kind {
  if (col instanceof Float64Array) return "number";
  return col.some((v) => typeof v === "boolean") ? "flag" : "text";
}

/** Concatenates tables by column name; a column missing in a part is filled with NaN/null. */
export function concatTables(tables: readonly { name: string; table: Table }[]): Table {
  const kinds = new Map<string, { kind: Kind; from: string }>();
  // An all-null text column says nothing about the type: it takes the others' kind.
  const allNull = (c: Column) => !(c instanceof Float64Array) && (c as unknown[]).every((v) => v === null);
  for (const { name, table } of tables) {
    for (const [col, values] of Object.entries(table)) {
      if (allNull(values)) {
        if (!kinds.has(col)) kinds.set(col, { kind: "text", from: "" });
        continue;
      }
      const k = kindOf(values);
      const seen = kinds.get(col);
      if (!seen || seen.from === "") kinds.set(col, { kind: k, from: name });
      else if (seen.kind !== k) {
        throw new MergeError(`column "${col}" is ${k} in "${name}" but ${seen.kind} in "${seen.from}"; make the inputs agree`);
      }
    }
  }
  const rows = tables.map(({ table }) => tableRowCount(table));
  const total = rows.reduce((a, b) => a + b, 0);
  const out: Table = {};
  for (const [col, { kind }] of kinds) {
    if (kind === "number") {
      const v = new Float64Array(total).fill(NaN);
      let off = 0;
      tables.forEach(({ table }, i) => {
        const c = table[col];
        if (c instanceof Float64Array) v.set(c, off);
        off += rows[i]!;
      });
      out[col] = v;
    } else {
      const v: (string | boolean | null)[] = [];
      tables.forEach(({ table }, i) => {
        const c = table[col];
        for (let r = 0; r < rows[i]!; r++) v.push(c ? ((c[r] as string | boolean | null | undefined) ?? null) : null);
      });
      out[col] = v as Column;
    }
  }
  return out;
}

export function mergeLibraries(parts: readonly LibraryPart[], policy: DuplicatePolicy): MergeResult {
  const samples = concatTables(parts.map((p) => ({ name: p.name, table: p.samples })));
  const ids = samples.sample_id as (string | null)[] | undefined;
  const sources = samples.source as (string | null)[] | undefined;
  if (!ids || !sources) throw new MergeError("every input's samples need sample_id and source columns");

  const where = new Map<string, Set<string>>();
  const count = new Map<string, number>();
  ids.forEach((id, i) => {
    if (id === null) throw new MergeError(`row ${i + 1} of the merged samples has no sample_id`);
    count.set(id, (count.get(id) ?? 0) + 1);
    let s = where.get(id);
    if (!s) where.set(id, (s = new Set()));
    s.add(sources[i] ?? "?");
  });
  const dups = [...count].filter(([, n]) => n > 1).map(([id]) => id);
  const examples = dups.slice(0, 10).map((id) => ({ id, sources: [...where.get(id)!] }));
  if (dups.length > 0 && policy === "reject") {
    throw new MergeError(
      `${dups.length} sample ids occur more than once across the inputs, e.g. ${examples.map((e) => `"${e.id}" (${e.sources.join(", ")})`).join("; ")}; set duplicates: prefix to rename them "<source>:<id>", or fix the ids`,
    );
  }
  const clash = new Set(dups);
  const sameSource = dups.find((id) => where.get(id)!.size < count.get(id)!);
  if (sameSource !== undefined) {
    throw new MergeError(
      `sample id "${sameSource}" occurs twice within source(s) ${[...where.get(sameSource)!].join(", ")}: a source prefix cannot make it unique; fix the input`,
    );
  }
  const rename = (source: string | null | undefined, id: string) => (clash.has(id) ? `${source ?? "?"}:${id}` : id);
  let renamed = 0;
  samples.sample_id = ids.map((id, i) => {
    const n = rename(sources[i], id!);
    if (n !== id) renamed++;
    return n;
  });
  const blocks: SpectraBlock[] = parts.flatMap((p) =>
    p.blocks.map((b) => (b.ids.some((id) => clash.has(id)) ? { ...b, ids: b.ids.map((id) => rename(b.source, id)) } : b)),
  );
  const truthParts = parts.filter((p) => p.truth).map((p) => ({ name: p.name, table: p.truth! }));
  let truth: Table | null = null;
  if (truthParts.length > 0) {
    truth = concatTables(truthParts);
    const tIds = truth.sample_id as (string | null)[];
    const tSrc = (truth.source as (string | null)[] | undefined) ?? [];
    truth.sample_id = tIds.map((id, i) => (id === null ? null : rename(tSrc[i], id)));
  }
  return {
    samples,
    blocks,
    truth,
    report: {
      parts: parts.map((p) => ({ step: p.name, rows: tableRowCount(p.samples), blocks: p.blocks.length })),
      rows: ids.length,
      duplicate_ids: dups.length,
      renamed_rows: renamed,
      duplicate_examples: examples,
    },
  };
}
