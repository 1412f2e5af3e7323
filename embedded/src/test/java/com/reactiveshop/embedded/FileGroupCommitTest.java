package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.exception.MongoServerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileGroupCommitTest {

  /**
   * "Writes" are numbers; a commit makes durable every number applied before it started. Every caller must come back
   * with its number durable, commits must never overlap, and under concurrency one commit must cover many writes.
   */
  @Test
  void everyCallerIsCoveredByACommitThatStartedAfterItsWriteAndCommitsAreShared() throws Exception {
    AtomicLong applied = new AtomicLong();
    AtomicLong durable = new AtomicLong();
    AtomicInteger committing = new AtomicInteger();
    FileGroupCommit group = new FileGroupCommit(() -> {
      assertEquals(1, committing.incrementAndGet(), "two commits at once");
      long upTo = applied.get();
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500)); // a commit takes a while
      durable.accumulateAndGet(upTo, Math::max);
      committing.decrementAndGet();
    });

    int threads = 16;
    int writesPerThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        writers.add(pool.submit(() -> {
          for (int i = 0; i < writesPerThread; i++) {
            long mine = applied.incrementAndGet();
            group.awaitDurable();
            assertTrue(durable.get() >= mine, "returned before its write was committed");
          }
          return null;
        }));
      }
      for (Future<?> writer : writers) {
        writer.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * writesPerThread, group.requests());
    assertTrue(group.commits() < group.requests() / 4,
        "commits were not shared: " + group.commits() + " for " + group.requests() + " writes");
  }

  @Test
  void aSingleCallerCommitsEachTime() {
    AtomicInteger commits = new AtomicInteger();
    FileGroupCommit group = new FileGroupCommit(commits::incrementAndGet);
    for (int i = 1; i <= 3; i++) {
      group.awaitDurable();
      assertEquals(i, commits.get());
    }
  }

  /** Followers of a failed round fail with it; a later round works again. */
  @Test
  void aFailedCommitFailsEveryWriteItWasToCover() throws Exception {
    CountDownLatch firstCommitMayEnd = new CountDownLatch(1);
    AtomicInteger round = new AtomicInteger();
    FileGroupCommit group = new FileGroupCommit(() -> {
      switch (round.incrementAndGet()) {
        case 1 -> awaitUninterruptibly(firstCommitMayEnd);
        case 2 -> throw new IllegalStateException("disk full");
        default -> { }
      }
    });

    Thread leader = new Thread(group::awaitDurable);
    leader.start();
    awaitCondition(() -> round.get() == 1);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> followers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Thread follower = new Thread(() -> {
        try {
          group.awaitDurable();
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      followers.add(follower);
      follower.start();
    }
    // both wait for round 2 (round 1 was running when they arrived)
    awaitCondition(() -> followers.stream().allMatch(f -> f.getState() == Thread.State.WAITING));
    firstCommitMayEnd.countDown();
    leader.join(10_000);
    for (Thread follower : followers) {
      follower.join(10_000);
    }
    assertEquals(2, failures.size(), failures::toString);
    failures.forEach(f -> assertTrue(f instanceof MongoServerException, f::toString));

    group.awaitDurable(); // round 3 succeeds
    assertEquals(3, round.get());
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not reached within 10 s");
      Thread.sleep(5);
    }
  }
}
