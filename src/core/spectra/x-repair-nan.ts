/**
 * Repairs non-finite values of one spectrum in place: interior gaps by linear interpolation
 * between the nearest finite neighbours (by index), leading/trailing gaps by the nearest
 * finite value. Returns how many values were repaired, or −1 when none is finite.
 */
export function xRepairNaN(y: Float64Array | Float32Array): number {
  const n = y.length;
  let repaired = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) continue;
    if (i - last > 1) {
      const gap = i - last - 1;
      for (let j = last + 1; j < i; j++) {
        y[j] = last < 0 ? y[i]! : y[last]! + ((y[i]! - y[last]!) * (j - last)) / (gap + 1);
      }
      repaired += gap;
    }
    last = i;
  }
  if (last < 0) return -1;
  for (let j = last + 1; j < n; j++) {
    y[j] = y[last]!;
    repaired++;
  }
  return repaired;
}
