/**
 * Decoding bytes of text files strictly: invalid UTF-8 is an error naming the line, never
 * U+FFFD (two latin-1 ids "Sé" and "Sè" would both become "S\uFFFD" and collide, or worse,
 * not collide and be silently renamed). Files in Latin-1/Windows-1252 are read when the user
 * says so with `encoding: latin1`.
 */
import { FormatError } from "./errors.js";

export type TextEncoding = "utf-8" | "latin1";
export const TEXT_ENCODINGS = ["utf-8", "latin1"] as const;

const strict = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** A decoder for one file: `decode(bytes, line, column?)` throws a FormatError naming the place. */
export function textDecoder(file: string, encoding: TextEncoding = "utf-8") {
  return (bytes: Uint8Array, line: number, column?: string): string => {
    if (encoding === "latin1") return latin1.decode(bytes);
    try {
      return strict.decode(bytes);
    } catch {
      const at = firstInvalidUtf8(bytes);
      const hex = Array.from(bytes.subarray(at, at + 2), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new FormatError(
        file,
        `not valid UTF-8 (byte ${hex} at character ${at + 1} of the field); save the file as UTF-8, or set encoding: latin1 if it is Latin-1/Windows-1252`,
        column === undefined ? { line } : { line, column },
      );
    }
  };
}

/** Index of the first byte that breaks UTF-8 (bytes.length when none). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return b.length;
}

/** A whole small file decoded (BOM dropped); invalid UTF-8 names its line. */
export function decodeTextFile(file: string, bytes: Uint8Array, encoding: TextEncoding = "utf-8"): string {
  const decode = textDecoder(file, encoding);
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (encoding === "latin1") return decode(bytes.subarray(start), 1);
  const parts: string[] = [];
  let line = 1;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    parts.push(decode(bytes.subarray(start, end), line));
    if (nl < 0) break;
    start = end;
    line++;
  }
  return parts.join("");
}
