package com.reactiveshop.order;

import io.vertx.circuitbreaker.CircuitBreakerOptions;

/**
 * One circuit breaker's knobs. {@code timeoutMs} is also the NATS request timeout of the calls it guards: a call
 * that has not answered by then counts as a failure. After {@code maxFailures} failures in a row the breaker opens
 * and calls fail at once; after {@code resetTimeoutMs} it lets one trial call through (half-open).
 */
public record BreakerSettings(long timeoutMs, int maxFailures, long resetTimeoutMs) {

  public static final BreakerSettings DEFAULTS = new BreakerSettings(2_000, 5, 10_000);

  public BreakerSettings {
    if (timeoutMs <= 0 || maxFailures <= 0 || resetTimeoutMs <= 0) {
      throw new IllegalArgumentException("Breaker timeout, max failures and reset timeout must be positive");
    }
  }

  CircuitBreakerOptions options() {
    return new CircuitBreakerOptions()
        .setTimeout(timeoutMs)
        .setMaxFailures(maxFailures)
        .setResetTimeout(resetTimeoutMs)
        // States are read directly (health, metrics); no need for the periodic event-bus notifications.
        .setNotificationAddress(null);
  }

  /** Seconds a client should wait before retrying while the breaker is open: until the next trial call. */
  int retryAfterSeconds() {
    return (int) Math.max(1, (resetTimeoutMs + 999) / 1000);
  }
}
