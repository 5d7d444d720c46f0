/** A dense row-major matrix of spectra: `values[i * cols + j]`. Float32 for storage, Float64 for results. */
export type NumArray = Float32Array | Float64Array;

export interface MatrixShape {
  rows: number;
  cols: number;
}

export function checkShape(values: NumArray, shape: MatrixShape, name: string): void {
  const { rows, cols } = shape;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 1) {
    throw new RangeError(`${name}: rows/cols must be non-negative integers (cols >= 1), got ${rows}x${cols}`);
  }
  if (values.length !== rows * cols) {
    throw new RangeError(`${name}: ${values.length} values for ${rows} rows x ${cols} cols`);
  }
}
