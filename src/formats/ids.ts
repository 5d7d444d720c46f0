/** Sample-id checks shared by the readers. */
import { FormatError } from "./errors.js";

/** Throws on a missing or repeated id, naming both lines. */
export function checkIds(file: string, ids: readonly (string | null)[], lines: ArrayLike<number>, column: string): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === null || id === undefined) {
      throw new FormatError(file, "sample id is empty; every row needs an id", { line: lines[i]!, column });
    }
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw new FormatError(
        file,
        `sample id "${id}" repeats the id on line ${lines[prev]}; ids must be unique within a file (average replicates first, or fix the id)`,
        { line: lines[i]!, column },
      );
    }
    seen.set(id, i);
  }
}
