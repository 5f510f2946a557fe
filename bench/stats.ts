// The mean of a benchmark's per-round ratios with its 95% confidence interval (Student's t), so that a
// result says how sure it is: these machines are shared, and one round can differ from the next by 20%.

// Two-sided 95% quantiles of Student's t for 1-30 degrees of freedom; beyond 30 the normal 1.96 is close.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export interface Estimate {
  mean: number;
  low: number;
  high: number;
}

/** Mean and 95% confidence interval of `xs` (at least two values). */
export function meanWithCi(xs: number[]): Estimate {
  if (xs.length < 2) throw new Error('a confidence interval needs at least two values');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  const half = (T95[xs.length - 2] ?? 1.96) * Math.sqrt(variance / xs.length);
  return { mean, low: mean - half, high: mean + half };
}

export const formatEstimate = (e: Estimate, digits = 3) =>
  `${e.mean.toFixed(digits)}x (95% CI ${e.low.toFixed(digits)}-${e.high.toFixed(digits)}x)`;

/**
 * The geometric mean of ratios with its 95% confidence interval (the interval of the mean log, taken back):
 * for ratios of two noisy times, whose plain mean drifts above 1 even when neither case is slower.
 */
export function geometricMeanWithCi(ratios: number[]): Estimate {
  const log = meanWithCi(ratios.map(Math.log));
  return { mean: Math.exp(log.mean), low: Math.exp(log.low), high: Math.exp(log.high) };
}
