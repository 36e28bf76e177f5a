/**
 * Splits a whole number into parts proportional to weights. The parts are whole numbers that add
 * up exactly to `total` (cumulative rounding down), e.g. splitByWeights(10, [1, 1, 1]) = [3, 3, 4].
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts: number[] = [];
  let before = 0;
  let cumulative = 0;
  for (const w of weights) {
    cumulative += w;
    const upTo = sum === 0 ? 0 : Math.floor((total * cumulative) / sum + 1e-9);
    parts.push(upTo - before);
    before = upTo;
  }
  parts[parts.length - 1] += total - before;
  return parts;
}

/** Splits `total` into `count` parts that differ by at most one. */
export function splitEvenly(total: number, count: number): number[] {
  return splitByWeights(total, Array.from({ length: count }, () => 1));
}
