/**
 * The depth bands every breakdown uses (cm): 0–30, 30–100, 100–200. A sample belongs to the
 * band that holds its top depth (`lo ≤ depth_top_cm < hi`); deeper or unknown → null.
 * Only the top depth is used because `predictions` carries only `depth_top_cm`.
 */
export const DEPTH_BANDS = [
  { label: "0-30", lo: 0, hi: 30 },
  { label: "30-100", lo: 30, hi: 100 },
  { label: "100-200", lo: 100, hi: 200 },
] as const;

export type DepthBandLabel = (typeof DEPTH_BANDS)[number]["label"];

export function depthBand(depthTopCm: number): DepthBandLabel | null {
  for (const b of DEPTH_BANDS) if (depthTopCm >= b.lo && depthTopCm < b.hi) return b.label;
  return null;
}
