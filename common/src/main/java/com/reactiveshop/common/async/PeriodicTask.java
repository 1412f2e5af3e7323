package com.reactiveshop.common.async;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Background work that runs every interval on the caller's context (a sweeper, a janitor, a retry loop): a run never
 * overlaps the previous one, a failed run is logged and tried again at the next tick, and {@link #stop()} completes
 * only once a run in progress has finished, so the verticle can close its clients after it.
 */
public final class PeriodicTask {

  private static final Logger LOG = LoggerFactory.getLogger(PeriodicTask.class);

  private final Vertx vertx;
  private final String name;
  private final Supplier<Future<?>> run;
  private long timer = -1;
  private boolean stopped;
  private Future<?> current = Future.succeededFuture();

  private PeriodicTask(Vertx vertx, String name, Supplier<Future<?>> run) {
    this.vertx = vertx;
    this.name = name;
    this.run = run;
  }

  /** Starts running {@code run} every {@code intervalMs}; call it on the context the runs should use. */
  public static PeriodicTask every(Vertx vertx, long intervalMs, String name, Supplier<Future<?>> run) {
    PeriodicTask task = new PeriodicTask(vertx, name, run);
    task.timer = vertx.setPeriodic(intervalMs, id -> task.tick());
    return task;
  }

  private void tick() {
    if (!current.isComplete() || stopped) {
      return;
    }
    Future<?> started;
    try {
      started = run.get();
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    current = started.onFailure(e -> LOG.warn("{} failed, will try again: {}", name, e.toString()));
  }

  /** True once {@link #stop()} was called: a run that loops over batches checks it between batches. */
  public boolean stopped() {
    return stopped;
  }

  /** No more runs; completes when the one in progress (if any) is done. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return current.transform(ar -> Future.succeededFuture());
  }
}
