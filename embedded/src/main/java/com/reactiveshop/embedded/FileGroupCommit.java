package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.exception.MongoServerException;

import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit: {@link #awaitDurable()} returns once a commit has run that STARTED after the call, so it covers
 * every change the caller finished before calling. Callers that arrive while a commit is running wait for the next
 * one, and the first of them to get the lock runs it for all of them (leader/follower): under load one commit covers
 * a whole batch of writes instead of one commit per write, and with a single writer it costs one commit per write.
 *
 * <p>Rounds are numbered: {@code started} commits have started, {@code completed} have finished (well or not). A
 * caller needs round {@code started + 1}, the first that can start after it arrived. It returns when a round at or
 * after that one succeeded, and fails when that round and every later finished one failed.
 */
final class FileGroupCommit {

  /** The commit itself; runs on one caller's thread at a time, outside this class's lock. */
  interface Action {
    void commit();
  }

  private final Action action;
  private final Object lock = new Object();
  private long started;
  private long completed;
  private long lastSucceeded;
  private boolean running;
  private RuntimeException lastFailure;

  private final LongAdder requests = new LongAdder();
  private final LongAdder commits = new LongAdder();
  private final LongAdder commitNanos = new LongAdder();

  FileGroupCommit(Action action) {
    this.action = action;
  }

  /**
   * Blocks until a commit that started after this call has succeeded, running it when no other caller does.
   *
   * @throws MongoServerException when that commit failed or the thread was interrupted while waiting: the caller's
   *     change may then be lost by a crash, so it must not be acknowledged as a success
   */
  void awaitDurable() {
    requests.increment();
    long round;
    synchronized (lock) {
      long target = started + 1;
      while (true) {
        if (lastSucceeded >= target) {
          return;
        }
        if (completed >= target) {
          throw new MongoServerException("the write was applied but could not be committed to disk", lastFailure);
        }
        if (!running) {
          running = true;
          round = ++started; // == target: nothing can start between our arrival and now without completing
          break;
        }
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new MongoServerException("interrupted while waiting for the write to be committed to disk");
        }
      }
    }
    lead(round);
  }

  private void lead(long round) {
    RuntimeException failure = null;
    boolean succeeded = false;
    long began = System.nanoTime();
    try {
      action.commit();
      succeeded = true;
      commits.increment();
      commitNanos.add(System.nanoTime() - began);
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      // also on an Error: followers must not wait for a round that will never complete
      synchronized (lock) {
        completed = round;
        running = false;
        if (succeeded) {
          lastSucceeded = round;
        } else {
          lastFailure = failure != null ? failure : new IllegalStateException("commit failed with an Error");
        }
        lock.notifyAll();
      }
    }
    if (failure != null) {
      throw new MongoServerException("the write was applied but could not be committed to disk", failure);
    }
  }

  /** Calls of {@link #awaitDurable()} so far. */
  long requests() {
    return requests.sum();
  }

  /** Commits that succeeded so far: {@code requests / commits} is the average group size. */
  long commits() {
    return commits.sum();
  }

  /** Time spent in the commits that succeeded, in ms: divided by {@link #commits()}, what a write waits at least. */
  long commitMillis() {
    return commitNanos.sum() / 1_000_000;
  }
}
