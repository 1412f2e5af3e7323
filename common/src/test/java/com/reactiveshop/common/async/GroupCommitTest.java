package com.reactiveshop.common.async;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which items go together in one flush, when the next flush goes, and what each item is answered. */
class GroupCommitTest {

  /** A store whose writes complete when the test says: the batches it was given, and their pending answers. */
  private static final class Store {
    final List<List<String>> batches = new ArrayList<>();
    final List<Promise<List<String>>> pending = new ArrayList<>();

    Future<List<String>> write(List<String> items) {
      batches.add(List.copyOf(items));
      Promise<List<String>> answer = Promise.promise();
      pending.add(answer);
      return answer.future();
    }

    /** Completes the n-th write, answering each item with "done " + item. */
    void complete(int n) {
      pending.get(n).complete(batches.get(n).stream().map(item -> "done " + item).toList());
    }
  }

  @Test
  void whatArrivesDuringAFlushGoesInOneBatchAfterIt() {
    Store store = new Store();
    GroupCommit<String, String> commit = new GroupCommit<>(store::write, 100);
    Future<String> a = commit.submit("a");
    Future<String> b = commit.submit("b");
    Future<String> c = commit.submit("c");
    assertEquals(List.of(List.of("a")), store.batches);

    store.complete(0);
    assertEquals("done a", a.result());
    assertEquals(List.of(List.of("a"), List.of("b", "c")), store.batches);
    assertTrue(!b.isComplete() && !c.isComplete());

    store.complete(1);
    assertEquals("done b", b.result());
    assertEquals("done c", c.result());
  }

  @Test
  void eachFlushRecordsItsSizeAndEachItemItsTimeUntilItsOutcome() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Store store = new Store();
    GroupCommit<String, String> commit = new GroupCommit<>(store::write, 100,
        BatchMetrics.of(registry, "postgresql", "order_commit"));
    commit.submit("a");
    commit.submit("b");
    commit.submit("c");
    store.complete(0);
    store.complete(1);

    DistributionSummary sizes = registry.get("store.batch.size")
        .tags("store", "postgresql", "batch", "order_commit").summary();
    assertEquals(2, sizes.count());
    assertEquals(3, sizes.totalAmount());
    assertEquals(2, sizes.max());
    assertEquals(2, registry.get("store.batch.flush.duration").tags("batch", "order_commit").timer().count());
    Timer items = registry.get("store.batch.item.duration").tags("batch", "order_commit").timer();
    assertEquals(3, items.count());
    // b and c waited for the first flush as well as their own: no item can take less than the flush it was in.
    assertTrue(items.max(TimeUnit.NANOSECONDS) >= registry.get("store.batch.flush.duration")
        .timer().max(TimeUnit.NANOSECONDS));
  }

  @Test
  void aBatchHoldsAtMostMaxBatchItemsAndTheRestGoesNext() {
    Store store = new Store();
    GroupCommit<String, String> commit = new GroupCommit<>(store::write, 2);
    commit.submit("a");
    commit.submit("b");
    commit.submit("c");
    commit.submit("d");
    store.complete(0);
    assertEquals(List.of("b", "c"), store.batches.get(1));
    store.complete(1);
    assertEquals(List.of("d"), store.batches.get(2));
  }

  @Test
  void aFlushAnsweringTheWrongNumberOfOutcomesFailsEveryItemOfIt() {
    Store store = new Store();
    GroupCommit<String, String> commit = new GroupCommit<>(store::write, 100);
    commit.submit("a");
    Future<String> b = commit.submit("b");
    Future<String> c = commit.submit("c");
    store.pending.get(0).complete(List.of("done a"));
    store.pending.get(1).complete(List.of("only one"));
    assertTrue(b.failed() && c.failed());
    assertTrue(b.cause().getMessage().contains("answered 2 items with 1 outcomes"), b.cause().getMessage());
  }

  @Test
  void aFailedFlushFailsEachOfItsItemsAndTheNextBatchStillGoes() {
    Store store = new Store();
    GroupCommit<String, String> commit = new GroupCommit<>(store::write, 100);
    Future<String> a = commit.submit("a");
    Future<String> b = commit.submit("b");
    store.pending.get(0).fail("store down");
    assertEquals("store down", a.cause().getMessage());
    assertEquals(List.of("b"), store.batches.get(1));
    store.complete(1);
    assertEquals("done b", b.result());
  }

  /** A store that never answers must not hold its callers: each item fails on time, also one queued behind. */
  @Test
  void itemsNotAnsweredInTimeFailWithATimeoutOnTheirContextAndALateAnswerChangesNothing() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Store store = new Store();
      Context context = vertx.getOrCreateContext();
      GroupCommit<String, String> commit = new GroupCommit<>(store::write, 100).answeringWithin(50);
      CompletableFuture<List<Object>> seen = new CompletableFuture<>();
      context.runOnContext(v -> {
        Future<String> first = commit.submit("a");
        Future<String> behind = commit.submit("b");
        Future.join(first, behind).onComplete(done -> seen.complete(List.of(first.cause(), behind.cause(),
            Vertx.currentContext() == context)));
      });
      List<Object> outcome = seen.get(10, TimeUnit.SECONDS);
      assertTrue(outcome.get(0) instanceof TimeoutException, String.valueOf(outcome.get(0)));
      assertTrue(outcome.get(1) instanceof TimeoutException, String.valueOf(outcome.get(1)));
      assertEquals(true, outcome.get(2), "failed on the submitter's context");

      CompletableFuture<List<List<String>>> after = new CompletableFuture<>();
      context.runOnContext(v -> {
        store.complete(0);
        after.complete(List.copyOf(store.batches));
      });
      assertEquals(List.of(List.of("a"), List.of("b")), after.get(10, TimeUnit.SECONDS),
          "the flush given up does not hold the next one back");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** What nobody waits for any more is reported once, whether its item or its whole flush was given up. */
  @Test
  void anOutcomeThatComesAfterItsCallerGaveUpIsReportedOnce() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Store store = new Store();
      Context context = vertx.getOrCreateContext();
      List<String> late = new ArrayList<>();
      GroupCommit<String, String> commit = new GroupCommit<>(store::write, 100)
          .answeringWithin(50, (item, outcome) -> late.add(item + " -> " + outcome));
      CompletableFuture<Void> givenUp = new CompletableFuture<>();
      context.runOnContext(v -> {
        Future<String> a = commit.submit("a");
        Future<String> b = commit.submit("b");
        Future.join(a, b).onComplete(done -> givenUp.complete(null));
      });
      givenUp.get(10, TimeUnit.SECONDS);
      CompletableFuture<List<List<String>>> sent = new CompletableFuture<>();
      // "a"'s flush was given up, so "b" went in the next one; both answer late.
      vertx.setTimer(100, t -> sent.complete(List.copyOf(store.batches)));
      assertEquals(List.of(List.of("a"), List.of("b")), sent.get(10, TimeUnit.SECONDS));
      CompletableFuture<List<String>> reported = new CompletableFuture<>();
      context.runOnContext(v -> {
        store.complete(0);
        store.complete(1);
        reported.complete(List.copyOf(late));
      });
      assertEquals(List.of("a -> done a", "b -> done b"), reported.get(10, TimeUnit.SECONDS));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void idleIsReportedOnlyWhenNothingWaitsOrIsInFlight() {
    Store store = new Store();
    int[] idle = {0};
    GroupCommit<String, String> commit = new GroupCommit<>(store::write, 100, BatchMetrics.NONE, () -> idle[0]++);
    commit.submit("a");
    commit.submit("b");
    store.complete(0); // b goes now: not idle
    assertEquals(0, idle[0]);
    store.complete(1);
    assertEquals(1, idle[0]);
  }
}
