/**
 * Parses a decimal number straight from bytes, so a 1 GB CSV never becomes 97M JS strings.
 * Up to 15 significant digits with |exponent| <= 22 are exact (both factors are exact
 * doubles and one rounding happens); longer mantissas lose only digits past the 15th.
 */

/** Result kinds of the last `parseNumberBytes` call (module state keeps the hot loop allocation-free). */
export const NUM_OK = 0;
export const NUM_MISSING = 1;
export const NUM_INVALID = 2;
export let numStatus = NUM_OK;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** Missing markers: empty, NA, NaN, nan, null, NULL, N/A (any case). */
function isMissingWord(b: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len === 0) return true;
  if (len > 4) return false;
  let w = "";
  for (let i = s; i < e; i++) w += String.fromCharCode(b[i]! | 0x20);
  return w === "na" || w === "nan" || w === "null" || w === "n/a";
}

export function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && isSpace(b[s]!)) s++;
  while (e > s && isSpace(b[e - 1]!)) e--;
  if (e - s >= 2 && b[s] === 34 && b[e - 1] === 34) {
    s++;
    e--;
  }
  let p = s;
  let neg = false;
  if (p < e && (b[p] === 45 || b[p] === 43)) {
    neg = b[p] === 45;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let exp10 = 0;
  let any = false;
  while (p < e) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    any = true;
    if (digits < 15) {
      mant = mant * 10 + d;
      if (mant > 0) digits++;
    } else exp10++;
    p++;
  }
  if (p < e && b[p] === 46) {
    p++;
    while (p < e) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      any = true;
      if (digits < 15) {
        mant = mant * 10 + d;
        if (mant > 0) digits++;
        exp10--;
      }
      p++;
    }
  }
  if (any && p < e && (b[p] === 101 || b[p] === 69)) {
    p++;
    let eneg = false;
    if (p < e && (b[p] === 45 || b[p] === 43)) {
      eneg = b[p] === 45;
      p++;
    }
    let ev = 0;
    let eany = false;
    while (p < e) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      ev = ev * 10 + d;
      eany = true;
      p++;
    }
    if (!eany) p = -1;
    exp10 += eneg ? -ev : ev;
  }
  if (!any || p !== e) {
    numStatus = isMissingWord(b, s, e) ? NUM_MISSING : NUM_INVALID;
    return NaN;
  }
  numStatus = NUM_OK;
  let v: number;
  if (exp10 === 0) v = mant;
  else if (exp10 > 0) v = exp10 <= 22 ? mant * POW10[exp10]! : mant * 10 ** exp10;
  else v = exp10 >= -22 ? mant / POW10[-exp10]! : mant / 10 ** -exp10;
  if (!Number.isFinite(v)) {
    // "1e999" overflows to Infinity: not a measurement, and it would poison every mean downstream
    numStatus = NUM_INVALID;
    return NaN;
  }
  return neg ? -v : v;
}

/** Same rules for a string cell (metadata columns are few; strings are fine there). */
export function parseNumberText(text: string | null): { value: number; status: number } {
  if (text === null) return { value: NaN, status: NUM_MISSING };
  const bytes = Buffer.from(text, "utf8");
  const value = parseNumberBytes(bytes, 0, bytes.length);
  return { value, status: numStatus };
}
