package com.reactiveshop.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting in a test: on a Vert.x {@link Future} from the test thread, and for a condition that becomes true later
 * (polled with Awaitility, on the calling thread). Both block the calling thread, so neither may run on an event
 * loop.
 */
public final class Await {

  /** How long {@link #await} waits before the test fails. */
  public static final Duration AWAIT_LIMIT = Duration.ofSeconds(60);
  /** How long {@link #eventually(BooleanSupplier)} polls when no bound is given. */
  public static final Duration EVENTUALLY_LIMIT = Duration.ofSeconds(20);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private Await() {
  }

  /**
   * Blocks the test thread until {@code future} completes (at most {@link #AWAIT_LIMIT}) and returns its result.
   * A failure is rethrown as it is when unchecked, else wrapped in an {@link IllegalStateException}; a future that
   * does not complete in time fails the test with an {@link AssertionError}.
   */
  public static <T> T await(Future<T> future) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("await blocks: call it from the test thread, never on an event loop");
    }
    try {
      return future.toCompletionStage().toCompletableFuture().get(AWAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw new AssertionError("future not completed within " + AWAIT_LIMIT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while awaiting a future", e);
    }
  }

  /** Polls {@code condition} for up to {@link #EVENTUALLY_LIMIT}; whether it held at the last look. */
  public static boolean eventually(BooleanSupplier condition) {
    return eventually(EVENTUALLY_LIMIT, condition);
  }

  /** Polls {@code condition} for up to {@code within}; whether it held at the last look. */
  public static boolean eventually(Duration within, BooleanSupplier condition) {
    return eventually(within, condition::getAsBoolean, Boolean::booleanValue);
  }

  /**
   * Looks again and again (for up to {@code within}) until {@code done} accepts what {@code look} returns, and
   * returns the last value seen either way, for the caller to assert on.
   */
  public static <T> T eventually(Duration within, Supplier<T> look, Predicate<? super T> done) {
    AtomicReference<T> seen = new AtomicReference<>();
    try {
      Awaitility.await().atMost(within).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL)
          .until(() -> {
            T now = look.get();
            seen.set(now);
            return done.test(now);
          });
    } catch (ConditionTimeoutException e) {
      // Not an error here: the caller asserts on the last value seen, which says what was wrong.
    }
    return seen.get();
  }
}
