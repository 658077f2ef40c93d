/**
 * A log-linear latency histogram in microseconds (HdrHistogram's layout, 64 sub-buckets per power
 * of two: at most ~1.6% error), cheap enough to record millions of samples in a load process and
 * small enough to send over IPC as a sparse list. The maximum is kept exactly.
 */
const SUB_BUCKETS = 64;
const OCTAVES = 40;

export interface HistogramSnapshot {
  /** [bucket index, count] pairs of the non-empty buckets. */
  readonly buckets: [number, number][];
  readonly count: number;
  readonly max: number;
  readonly min: number;
  readonly sum: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

function indexOf(valueUs: number): number {
  const v = valueUs <= 0 ? 0 : Math.min(Math.floor(valueUs), 0x7fffffff);
  if (v < 2 * SUB_BUCKETS) {
    return v;
  }
  const shift = 31 - Math.clz32(v) - 6;
  return SUB_BUCKETS * shift + (v >>> shift);
}

/** The middle of a bucket's range, in microseconds. */
function valueOf(index: number): number {
  if (index < 2 * SUB_BUCKETS) {
    return index;
  }
  const shift = Math.floor(index / SUB_BUCKETS) - 1;
  const mantissa = index - SUB_BUCKETS * shift;
  return (mantissa << shift) + ((1 << shift) - 1) / 2;
}

export class Histogram {
  private readonly counts = new Float64Array(SUB_BUCKETS * (OCTAVES + 1));
  count = 0;
  max = 0;
  min = Infinity;
  sum = 0;

  record(valueUs: number): void {
    this.counts[indexOf(valueUs)]++;
    this.count++;
    this.sum += valueUs;
    if (valueUs > this.max) this.max = valueUs;
    if (valueUs < this.min) this.min = valueUs;
  }

  merge(snapshot: HistogramSnapshot): void {
    for (const [index, count] of snapshot.buckets) {
      this.counts[index] += count;
    }
    this.count += snapshot.count;
    this.sum += snapshot.sum;
    if (snapshot.count > 0) {
      this.max = Math.max(this.max, snapshot.max);
      this.min = Math.min(this.min, snapshot.min);
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
    this.min = Infinity;
    this.sum = 0;
  }

  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    this.counts.forEach((count, index) => {
      if (count > 0) buckets.push([index, count]);
    });
    return { buckets, count: this.count, max: this.max, min: this.min, sum: this.sum };
  }

  /** The value at quantile q (0..1), in microseconds; 0 without samples. */
  quantile(q: number): number {
    if (this.count === 0) {
      return 0;
    }
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let index = 0; index < this.counts.length; index++) {
      seen += this.counts[index];
      if (seen >= rank) {
        return Math.min(valueOf(index), this.max);
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50Ms: this.quantile(0.5) / 1000,
      p99Ms: this.quantile(0.99) / 1000,
      maxMs: this.max / 1000,
      meanMs: this.count ? this.sum / this.count / 1000 : 0,
    };
  }

  static from(snapshots: Iterable<HistogramSnapshot>): Histogram {
    const histogram = new Histogram();
    for (const snapshot of snapshots) histogram.merge(snapshot);
    return histogram;
  }
}

/** Monotonic microseconds (CLOCK_MONOTONIC): comparable between processes on one machine. */
export function nowUs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + nanos / 1e3;
}
