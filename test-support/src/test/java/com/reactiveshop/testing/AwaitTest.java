package com.reactiveshop.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitTest {

  @Test
  void awaitReturnsTheResultAndRethrowsAnUncheckedFailureAsItIs() {
    assertEquals("done", await(Future.succeededFuture("done")));
    IllegalArgumentException failure = new IllegalArgumentException("bad");
    assertSame(failure, assertThrows(IllegalArgumentException.class, () -> await(Future.failedFuture(failure))));
    IOException checked = new IOException("io");
    assertSame(checked,
        assertThrows(IllegalStateException.class, () -> await(Future.failedFuture(checked))).getCause());
  }

  @Test
  void awaitRefusesToBlockAnEventLoop() {
    Vertx vertx = Vertx.vertx();
    try {
      Promise<Throwable> refused = Promise.promise();
      vertx.runOnContext(v -> {
        try {
          await(Future.succeededFuture());
          refused.fail(new AssertionError("await ran on the event loop"));
        } catch (IllegalStateException expected) {
          refused.complete(expected);
        }
      });
      assertInstanceOf(IllegalStateException.class, await(refused.future()));
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void eventuallyPollsUntilTheConditionHoldsOrTimeRunsOut() {
    AtomicInteger looks = new AtomicInteger();
    assertTrue(eventually(() -> looks.incrementAndGet() == 3));
    assertEquals(3, looks.get());
    assertFalse(eventually(Duration.ofMillis(300), () -> false));
    AtomicInteger counter = new AtomicInteger();
    int last = eventually(Duration.ofMillis(300), counter::incrementAndGet, n -> n < 0);
    assertEquals(counter.get(), last, "the last value seen is returned");
  }
}
