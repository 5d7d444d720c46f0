/**
 * Errors the user can act on. `UsageError` (exit 2) covers bad pipeline files, options and
 * arguments: nothing has run or been written when it is thrown. The CLI prints these
 * without a stack; anything else is a bug and keeps its stack.
 */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** Key path inside the file, e.g. `steps.train-c.with.epochs`. */
  path?: string;
}

export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  if (loc.path) s += ` (${loc.path})`;
  return s;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(location ? `${formatLocation(location)}: ${message}` : message);
  }
}

/** Several validation problems reported together (a user fixes them all in one go). */
export class ValidationErrors extends UsageError {
  constructor(readonly problems: UsageError[]) {
    super(problems.map((p) => p.message).join("\n"));
  }
}

/** The store cannot be used (not writable, missing parent): exit 2 with the path named. */
export class StoreError extends UsageError {}
