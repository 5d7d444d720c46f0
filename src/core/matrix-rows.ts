/** Rows `rows` of a row-major matrix with `p` columns, copied into one new matrix (in the order given). */
export function matrixRows(x: Float32Array, p: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * p);
  for (let k = 0; k < rows.length; k++) out.set(x.subarray(rows[k]! * p, (rows[k]! + 1) * p), k * p);
  return out;
}
