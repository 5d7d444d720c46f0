/** Splits one CSV line (the header, or a few metadata lines) into unquoted fields. */
export function splitCsvLine(line: string, delimiter = ","): string[] | null {
  const out: string[] = [];
  let field = "";
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuote) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuote = false;
      } else field += ch;
    } else if (ch === '"') inQuote = true;
    else if (ch === delimiter) {
      out.push(field.trim());
      field = "";
    } else field += ch;
  }
  if (inQuote) return null;
  out.push(field.trim());
  return out;
}

/** Index of column `name`, -1 when absent; a name the header holds twice is an error (which one?). */
export function uniqueColumn(header: readonly string[], name: string, onDuplicate: (first: number, second: number) => never): number {
  const i = header.indexOf(name);
  if (i >= 0) {
    const j = header.indexOf(name, i + 1);
    if (j >= 0) onDuplicate(i, j);
  }
  return i;
}
