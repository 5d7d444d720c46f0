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

function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  if (loc.path) s += ` (${loc.path})`;
  return s;
}

/**
 * `instanceof` that also recognises errors made by a second copy of this module: a user's step
 * module loaded through tsx imports the TypeScript sources while the CLI runs the build.
 */
export function brandedInstanceOf(cls: Function, x: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(cls, x)) return true;
  const names = typeof x === "object" && x !== null ? (x as Record<symbol, unknown>)[ERROR_BRAND] : undefined;
  return Array.isArray(names) && names.includes(cls.name);
}

/** The class names of an error from its class up to Error: set as `[ERROR_BRAND]` on somflow's errors. */
export const ERROR_BRAND = Symbol.for("somflow.error-classes");
export function classNames(cls: Function): string[] {
  const out: string[] = [];
  for (let c = cls; c && c !== Error && c !== Function.prototype; c = Object.getPrototypeOf(c)) out.push(c.name);
  return out;
}

export class UsageError extends Error {
  override readonly name: string = "UsageError";
  readonly [ERROR_BRAND] = classNames(this.constructor);
  static override [Symbol.hasInstance](x: unknown): boolean {
    return brandedInstanceOf(this, x);
  }
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

/** The run was cancelled (SIGINT/SIGTERM) while the step ran. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
  constructor() {
    super("interrupted");
  }
}
