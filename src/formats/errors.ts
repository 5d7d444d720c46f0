/**
 * An input file that cannot be read as what it claims to be. Carries where (file, 1-based
 * line, column name or index) so a step can show one precise message without a stack.
 */
export class FormatError extends Error {
  override readonly name = "FormatError";
  readonly file: string;
  readonly line: number | undefined;
  readonly column: string | undefined;

  constructor(file: string, problem: string, where: { line?: number; column?: string } = {}) {
    const loc = [where.line !== undefined ? `line ${where.line}` : null, where.column !== undefined ? `column ${where.column}` : null]
      .filter(Boolean)
      .join(", ");
    super(`${file}${loc ? ` (${loc})` : ""}: ${problem}`);
    this.file = file;
    this.line = where.line;
    this.column = where.column;
  }
}
