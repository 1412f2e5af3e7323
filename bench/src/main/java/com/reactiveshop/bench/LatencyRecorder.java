package com.reactiveshop.bench;

import java.util.Arrays;

/**
 * Latencies in nanoseconds, kept whole (a bounded run keeps at most {@link #CAPACITY} of them) so that percentiles are
 * exact. Not thread-safe: record from one thread, or synchronize.
 */
public final class LatencyRecorder {

  public static final int CAPACITY = 20_000_000;

  private long[] values = new long[1 << 14];
  private int count;
  private long dropped;
  private boolean sorted;

  public void record(long nanos) {
    if (count == values.length) {
      if (count >= CAPACITY) {
        dropped++;
        return;
      }
      values = Arrays.copyOf(values, Math.min(CAPACITY, values.length * 2));
    }
    values[count++] = nanos;
    sorted = false;
  }

  public int count() {
    return count;
  }

  /** Samples not kept because the recorder was full (a run far longer than the kit makes). */
  public long dropped() {
    return dropped;
  }

  /** The percentile in milliseconds; NaN when nothing was recorded. */
  public double percentileMs(double p) {
    if (!sorted) {
      Arrays.sort(values, 0, count);
      sorted = true;
    }
    return Stats.percentileOfSorted(values, count, p) / 1e6;
  }

  public double maxMs() {
    return count == 0 ? Double.NaN : percentileMs(100);
  }
}
