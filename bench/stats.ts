/** Small statistics helpers for the benchmarks: medians and percentiles of repeated samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const median = (values: number[]): number => percentile(values, 50);

/** Nanoseconds per call of fn, as the median of `rounds` timed batches of `batch` calls. */
export function nsPerOp(fn: () => unknown, rounds = 15, batch = 2000): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i += 1) fn();
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  return median(samples);
}
