package com.reactiveshop.common.async;

import com.reactiveshop.common.metrics.Metrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.concurrent.TimeUnit;

/**
 * The series of one batched store step ({@link GroupCommit}), so that a load test shows what the batching does and
 * where an order's time goes, labelled {@code store} ({@code postgresql}, {@code mongodb}) and {@code batch} (the
 * step, e.g. {@code order_commit}):
 * <ul>
 *   <li>{@code store_batch_size}: items per flush (buckets 1 to 512). Batches of one mean there was no queue.</li>
 *   <li>{@code store_batch_flush_duration_seconds}: one flush, that is the store command (or the few) it sends.</li>
 *   <li>{@code store_batch_item_duration_seconds}: one item, from its submit to its outcome: the wait for the flush
 *   in flight plus its own. This is what a request spends at that step; under load it is up to about twice the
 *   flush time.</li>
 * </ul>
 * Both durations have the latency buckets of {@link Metrics#LATENCY_BUCKETS}. Without a registry (Vert.x without
 * metrics) nothing is recorded and no clock is read.
 */
public final class BatchMetrics {

  /** Records nothing. */
  public static final BatchMetrics NONE = new BatchMetrics(null, null, null);

  private static final double[] SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

  private final DistributionSummary sizes;
  private final Timer flushes;
  private final Timer items;

  private BatchMetrics(DistributionSummary sizes, Timer flushes, Timer items) {
    this.sizes = sizes;
    this.flushes = flushes;
    this.items = items;
  }

  /** The series of step {@code batch} on {@code store}, in Vert.x's registry ({@link #NONE} without one). */
  public static BatchMetrics of(String store, String batch) {
    return of(BackendRegistries.getDefaultNow(), store, batch);
  }

  /** As {@link #of(String, String)}, in {@code registry} ({@link #NONE} if null). */
  public static BatchMetrics of(MeterRegistry registry, String store, String batch) {
    if (registry == null) {
      return NONE;
    }
    DistributionSummary sizes = DistributionSummary.builder("store.batch.size")
        .description("Items per flush of a batched store step")
        .serviceLevelObjectives(SIZE_BUCKETS)
        .tag("store", store).tag("batch", batch).register(registry);
    Timer flushes = Metrics.latencyTimer("store.batch.flush.duration")
        .description("One flush of a batched store step: its store command(s)")
        .tag("store", store).tag("batch", batch).register(registry);
    Timer items = Metrics.latencyTimer("store.batch.item.duration")
        .description("One item of a batched store step, from submit to outcome (queueing included)")
        .tag("store", store).tag("batch", batch).register(registry);
    return new BatchMetrics(sizes, flushes, items);
  }

  /** The clock reading to pass back later; 0 when nothing is recorded. */
  long now() {
    return sizes == null ? 0 : System.nanoTime();
  }

  /** A flush of {@code size} items that started at {@code started} ({@link #now()}) has ended at {@code ended}. */
  void flushed(int size, long started, long ended) {
    if (sizes != null) {
      sizes.record(size);
      flushes.record(ended - started, TimeUnit.NANOSECONDS);
    }
  }

  /** An item submitted at {@code submitted} ({@link #now()}) got its outcome at {@code ended}. */
  void answered(long submitted, long ended) {
    if (items != null) {
      items.record(ended - submitted, TimeUnit.NANOSECONDS);
    }
  }
}
