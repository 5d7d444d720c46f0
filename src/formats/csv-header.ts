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
