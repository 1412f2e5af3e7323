package com.reactiveshop.common.async;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Drains work that becomes due in a shared table (events to publish, releases to retry): one batch per run, a run
 * every interval and soon after each {@link #kick()}. Each run says what should follow it ({@link Next}): a full batch
 * is followed at once, so a backlog drains at the speed of the runs themselves; a run that may have made more work due
 * is followed after the coalescing window; otherwise the loop waits for the next tick or kick. Runs never overlap: a
 * kick during a run asks for one more run after it. A failed run is logged and the loop waits for the next tick or
 * kick rather than hammering a store that just failed.
 *
 * <p>A kick waits {@code coalesceMs} before its run, so that everything kicked within that window (the commits of
 * many requests) shares one run; with 0 the run follows at once. Runs always happen on the loop's own context, never
 * on the context of whoever kicked it (a traced request's), so their work belongs to no request.
 *
 * <p>{@link #stop()} completes once the run in progress has finished, so the owner can close its clients after it.
 * Not thread-safe: kick from the loop's context (or a context on the same event loop).
 */
public final class DrainLoop {

  private static final Logger LOG = LoggerFactory.getLogger(DrainLoop.class);

  private final Vertx vertx;
  private final Context context;
  private final String name;
  private final long intervalMs;
  private final long coalesceMs;
  private final Supplier<Future<Next>> batch;
  private long timer = -1;
  private boolean running;
  private boolean again;
  private boolean scheduled;
  private boolean stopped;
  private Future<Next> current = Future.succeededFuture(Next.IDLE);

  /** What follows a run. */
  public enum Next {
    /** The batch was full: more is waiting now, and waiting to coalesce would only let the backlog grow. */
    AT_ONCE,
    /** The run may have made more work due (e.g. events held back behind the ones it published): after the window. */
    AFTER_WINDOW,
    /** Nothing more is known to be due: the next tick or kick. */
    IDLE
  }

  /**
   * @param context    where every run happens
   * @param name       for the log, as in "{name} failed, will try again"
   * @param intervalMs how often a run happens without kicks (work left by a stopped process, retries that fell due)
   * @param coalesceMs how long a kick waits for more kicks to share its run; 0: no wait
   * @param batch      handles one batch and says what should follow it
   */
  public DrainLoop(Vertx vertx, Context context, String name, long intervalMs, long coalesceMs,
                   Supplier<Future<Next>> batch) {
    this.vertx = vertx;
    this.context = context;
    this.name = name;
    this.intervalMs = intervalMs;
    this.coalesceMs = coalesceMs;
    this.batch = batch;
  }

  /** Starts the periodic runs (the first one an interval from now); {@link #kick()} for one at once. */
  public void start() {
    if (!stopped && timer == -1) {
      timer = vertx.setPeriodic(intervalMs, id -> kick());
    }
  }

  /** Asks for a run within {@code coalesceMs}; one already asked for or going covers this one. */
  public void kick() {
    request(coalesceMs);
  }

  /**
   * Asks for a run at once, without the coalescing window (e.g. at start, for the work a stopped process left); one
   * already asked for or going covers this one.
   */
  public void drainNow() {
    request(0);
  }

  private void request(long delayMs) {
    if (stopped || scheduled) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    scheduled = true;
    if (delayMs <= 0) {
      context.runOnContext(v -> run());
    } else {
      vertx.setTimer(delayMs, id -> context.runOnContext(v -> run()));
    }
  }

  /** True once {@link #stop()} was called: a batch that loops over pages may check it between pages. */
  public boolean stopped() {
    return stopped;
  }

  /** No more runs; completes when the one in progress (if any) is done. */
  public Future<Void> stop() {
    stopped = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    return current.transform(ar -> Future.succeededFuture());
  }

  private void run() {
    scheduled = false;
    if (stopped || running) {
      return;
    }
    running = true;
    again = false;
    Future<Next> started;
    try {
      started = batch.get();
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    current = started;
    started.onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("{} failed, will try again: {}", name, ar.cause().toString());
        return;
      }
      if (ar.result() == Next.AT_ONCE) {
        request(0);
      } else if (again || ar.result() == Next.AFTER_WINDOW) {
        kick();
      }
    });
  }
}
