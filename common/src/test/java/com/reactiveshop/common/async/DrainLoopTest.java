package com.reactiveshop.common.async;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kicks coalesce, runs never overlap, a full batch drains at once, and stop waits for the run in progress. */
class DrainLoopTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void on(Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      action.run();
      done.complete(null);
    });
    done.get(5, TimeUnit.SECONDS);
  }

  /** A loop (ticking once an hour) whose every run counts itself in {@code runs} and says {@code next}. */
  private DrainLoop counting(AtomicInteger runs, long coalesceMs, DrainLoop.Next next) {
    return new DrainLoop(vertx, context, "test", 3_600_000, coalesceMs, () -> {
      runs.incrementAndGet();
      return Future.succeededFuture(next);
    });
  }

  @Test
  void kicksWithinTheWindowShareOneRun() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    DrainLoop loop = counting(runs, 50, DrainLoop.Next.IDLE);
    on(() -> {
      loop.kick();
      loop.kick();
      loop.kick();
    });
    Thread.sleep(300);
    assertEquals(1, runs.get());
  }

  /** The window is an hour: only runs that skip it can drain the five batches. */
  @Test
  void aFullBatchIsFollowedAtOnceWithoutTheWindowUntilOneIsNot() throws Exception {
    AtomicInteger left = new AtomicInteger(5);
    DrainLoop loop = new DrainLoop(vertx, context, "test", 3_600_000, 3_600_000,
        () -> Future.succeededFuture(left.decrementAndGet() > 0 ? DrainLoop.Next.AT_ONCE : DrainLoop.Next.IDLE));
    on(loop::drainNow);
    long deadline = System.currentTimeMillis() + 5_000;
    while (left.get() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, left.get());
  }

  /** With an hour's window, a run that says "after the window" is not followed within the test. */
  @Test
  void aRunThatMadeSomeWorkDueIsFollowedOnlyAfterTheWindow() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    DrainLoop loop = counting(runs, 3_600_000, DrainLoop.Next.AFTER_WINDOW);
    on(loop::drainNow);
    Thread.sleep(300);
    assertEquals(1, runs.get());
  }

  @Test
  void aKickDuringARunAsksForOneMoreRunAfterIt() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger overlapping = new AtomicInteger();
    AtomicReference<Promise<DrainLoop.Next>> first = new AtomicReference<>();
    AtomicReference<Boolean> busy = new AtomicReference<>(false);
    DrainLoop loop = new DrainLoop(vertx, context, "test", 3_600_000, 0, () -> {
      if (busy.get()) {
        overlapping.incrementAndGet();
      }
      busy.set(true);
      if (runs.incrementAndGet() == 1) {
        first.set(Promise.promise());
        return first.get().future().onComplete(ar -> busy.set(false));
      }
      busy.set(false);
      return Future.succeededFuture(DrainLoop.Next.IDLE);
    });
    on(loop::kick);
    Thread.sleep(100);
    on(() -> {
      loop.kick();
      loop.kick();
    });
    Thread.sleep(100);
    assertEquals(1, runs.get(), "no run while one is going");
    on(() -> first.get().complete(DrainLoop.Next.IDLE));
    Thread.sleep(200);
    assertEquals(2, runs.get());
    assertEquals(0, overlapping.get());
  }

  @Test
  void stopWaitsForTheRunInProgressAndEndsTheRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Promise<DrainLoop.Next> running = Promise.promise();
    DrainLoop loop = new DrainLoop(vertx, context, "test", 20, 0, () -> {
      runs.incrementAndGet();
      return running.future();
    });
    on(loop::start);
    Thread.sleep(100);
    AtomicReference<Future<Void>> stopped = new AtomicReference<>();
    on(() -> stopped.set(loop.stop()));
    assertFalse(stopped.get().isComplete(), "a run is still going");
    on(() -> running.complete(DrainLoop.Next.AT_ONCE));
    stopped.get().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(loop.stopped());
    Thread.sleep(100);
    assertEquals(1, runs.get(), "neither the tick nor the batch's 'more' starts another run after stop");
  }
}
