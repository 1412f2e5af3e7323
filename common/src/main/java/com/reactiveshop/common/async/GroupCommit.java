package com.reactiveshop.common.async;

import com.reactiveshop.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Group commit on one event loop. While one flush is in flight, submitted items wait; when it completes they all go in
 * the next flush, as one batch. The first item after an idle moment is flushed at once, so a lone request pays no
 * extra latency, and under load batches grow by themselves to whatever arrived during one round trip. This is how
 * the order path turns many concurrent requests into few store commands. Each flush's size and time, and each item's
 * time from submit to outcome, go to its {@link BatchMetrics}.
 *
 * <p>Not thread-safe: submit from one Vert.x context only, and let {@code flush} complete its future on that context
 * (Vert.x clients do, when called from it).
 *
 * <p>While tracing is on ({@link Tracing#active()}), each outcome is delivered on the Vert.x context of the request
 * that submitted it, and a flush runs on the context of its first item's request, so the trace of one request never
 * continues on another's (a batch's one statement is shown in the trace of its first request). While it is off,
 * nothing here looks at contexts.
 *
 * @param <T> what is submitted
 * @param <R> the outcome of one item; {@code flush} answers one per item, in order
 */
public final class GroupCommit<T, R> {

  private final Function<List<T>, Future<List<R>>> flush;
  private final int maxBatch;
  private final BatchMetrics metrics;
  private final Runnable onIdle;
  private List<Waiting<T, R>> waiting = new ArrayList<>();
  private boolean flushing;
  /** 0: an item waits as long as its flush (and the one ahead of it) takes. */
  private long answerWithinMs;
  /** Told of each outcome that came after its item's caller was failed with a timeout; null: nobody is. */
  private BiConsumer<T, R> lateOutcome;

  /** {@code submitted}: {@link BatchMetrics#now()} at the submit. */
  private record Waiting<T, R>(T item, Promise<R> promise, long submitted) {
  }

  /**
   * @param flush    writes one batch; its list of outcomes matches the batch item by item
   * @param maxBatch the most items in one flush (a store command has size limits; the rest waits for the next one)
   * @param metrics  where batch sizes and durations go ({@link BatchMetrics#NONE}: nowhere)
   * @param onIdle   run when nothing is waiting or in flight any more (lets an owner forget idle instances)
   */
  public GroupCommit(Function<List<T>, Future<List<R>>> flush, int maxBatch, BatchMetrics metrics, Runnable onIdle) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1");
    }
    this.flush = flush;
    this.maxBatch = maxBatch;
    this.metrics = metrics;
    this.onIdle = onIdle;
  }

  public GroupCommit(Function<List<T>, Future<List<R>>> flush, int maxBatch, BatchMetrics metrics) {
    this(flush, maxBatch, metrics, () -> {
    });
  }

  public GroupCommit(Function<List<T>, Future<List<R>>> flush, int maxBatch) {
    this(flush, maxBatch, BatchMetrics.NONE);
  }

  /**
   * From now on, an item whose outcome has not come {@code ms} after its submit fails with a timeout
   * ({@code TimeoutException}), on the submitter's context, and a flush not answered within {@code ms} is given up so
   * that the next batch goes. Flushes are one at a time, so behind a flush that a silent store never answers every
   * later item would wait too. An item's write may still happen after that: its outcome is unknown, as with any store
   * that goes silent. For a flush to be watched to its late end, {@code flush} must not limit its own time.
   */
  public GroupCommit<T, R> answeringWithin(long ms) {
    if (ms < 1) {
      throw new IllegalArgumentException("ms must be at least 1");
    }
    this.answerWithinMs = ms;
    return this;
  }

  /**
   * As {@link #answeringWithin(long)}; and when the store answers an item after its caller was failed with the
   * timeout, {@code lateOutcome} gets the item and that outcome (on the flush's context), so that the owner can undo
   * what nobody is waiting for any more.
   */
  public GroupCommit<T, R> answeringWithin(long ms, BiConsumer<T, R> lateOutcome) {
    this.lateOutcome = lateOutcome;
    return answeringWithin(ms);
  }

  /** The outcome of {@code item} once the batch it joins has been flushed. */
  public Future<R> submit(T item) {
    Promise<R> promise = Tracing.active() || answerWithinMs > 0 ? AnswerLimit.promiseHere() : Promise.promise();
    waiting.add(new Waiting<>(item, promise, metrics.now()));
    if (!flushing) {
      flushNext();
    }
    if (answerWithinMs == 0) {
      return promise.future();
    }
    Future<R> limited = promise.future().timeout(answerWithinMs, TimeUnit.MILLISECONDS);
    if (lateOutcome != null) {
      limited.onFailure(failure -> {
        if (failure instanceof TimeoutException) {
          promise.future().onSuccess(outcome -> lateOutcome.accept(item, outcome));
        }
      });
    }
    return limited;
  }

  /**
   * The flush as given up after the time limit, so that the next batch goes (its items have waited since their own
   * submits); a store that answers it later still has each outcome reported to {@link #lateOutcome}.
   */
  private Future<List<R>> withinLimit(Future<List<R>> written, List<T> items) {
    Future<List<R>> limited = AnswerLimit.within(written, answerWithinMs);
    limited.onFailure(failure -> {
      if (failure instanceof TimeoutException && lateOutcome != null) {
        written.onSuccess(outcomes -> {
          for (int i = 0; i < items.size() && outcomes != null && i < outcomes.size(); i++) {
            lateOutcome.accept(items.get(i), outcomes.get(i));
          }
        });
      }
    });
    return limited;
  }

  private void flushNext() {
    if (waiting.isEmpty()) {
      flushing = false;
      onIdle.run();
      return;
    }
    flushing = true;
    List<Waiting<T, R>> batch;
    if (waiting.size() <= maxBatch) {
      batch = waiting;
      waiting = new ArrayList<>();
    } else {
      batch = new ArrayList<>(waiting.subList(0, maxBatch));
      waiting.subList(0, maxBatch).clear();
    }
    List<T> items = new ArrayList<>(batch.size());
    batch.forEach(w -> items.add(w.item()));
    ContextInternal first = Tracing.active() && batch.get(0).promise() instanceof PromiseInternal<R> bound
        ? bound.context() : null;
    if (first != null && first != ContextInternal.current()) {
      first.dispatch(() -> write(batch, items));
    } else {
      write(batch, items);
    }
  }

  private void write(List<Waiting<T, R>> batch, List<T> items) {
    Future<List<R>> written;
    long started = metrics.now();
    try {
      written = flush.apply(items);
    } catch (RuntimeException e) {
      written = Future.failedFuture(e);
    }
    if (answerWithinMs > 0) {
      written = withinLimit(written, items);
    }
    written.onComplete(ar -> {
      long ended = metrics.now();
      metrics.flushed(batch.size(), started, ended);
      for (int i = 0; i < batch.size(); i++) {
        metrics.answered(batch.get(i).submitted(), ended);
        if (ar.failed()) {
          batch.get(i).promise().tryFail(ar.cause());
        } else if (ar.result() == null || ar.result().size() != batch.size()) {
          batch.get(i).promise().tryFail(new IllegalStateException("flush answered " + batch.size()
              + " items with " + (ar.result() == null ? "nothing" : ar.result().size() + " outcomes")));
        } else {
          batch.get(i).promise().tryComplete(ar.result().get(i));
        }
      }
      flushNext();
    });
  }
}
