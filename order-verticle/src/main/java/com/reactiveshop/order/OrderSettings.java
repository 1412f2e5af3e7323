package com.reactiveshop.order;

import java.util.Map;

/**
 * What the order service needs besides NATS and its HTTP port. {@link #fromEnv(Map)} reads the environment
 * variables documented there; every one has a default that suits a local run.
 *
 * @param pgUri                   {@code postgresql://user:pass@host:port/db}
 * @param poolSize                connections in the process's one PostgreSQL pool
 * @param poolWaitQueue           requests allowed to wait for a connection before failing fast
 * @param users                   breaker (and timeout) around {@code users.get}
 * @param products                breaker (and timeout) around {@code products.reserve}; the timeout of
 *                                {@code products.release}, which bypasses the breaker
 * @param outboxIntervalMs        how often the outbox relay looks for unpublished events (it is also kicked on commit)
 * @param releaseRetryIntervalMs  how often undelivered stock releases are retried
 * @param idempotencyWaitMs       how long a duplicate request waits for the first one's answer before 409
 * @param idempotencyLeaseMs      after this long an unfinished claim is considered abandoned (crashed process)
 */
public record OrderSettings(String pgUri, int poolSize, int poolWaitQueue, BreakerSettings users,
                            BreakerSettings products, long outboxIntervalMs, long releaseRetryIntervalMs,
                            long idempotencyWaitMs, long idempotencyLeaseMs) {

  public static OrderSettings defaults(String pgUri) {
    return new OrderSettings(pgUri, 16, 512, BreakerSettings.DEFAULTS, BreakerSettings.DEFAULTS, 1_000, 5_000,
        5_000, 60_000);
  }

  /**
   * {@code PG_URI} (required), {@code ORDER_PG_POOL_SIZE} (16), {@code ORDER_PG_WAIT_QUEUE} (512),
   * {@code ORDER_BREAKER_TIMEOUT_MS} (2000), {@code ORDER_BREAKER_MAX_FAILURES} (5),
   * {@code ORDER_BREAKER_RESET_MS} (10000) for both breakers, {@code ORDER_OUTBOX_INTERVAL_MS} (1000),
   * {@code ORDER_RELEASE_RETRY_INTERVAL_MS} (5000), {@code ORDER_IDEMPOTENCY_WAIT_MS} (5000),
   * {@code ORDER_IDEMPOTENCY_LEASE_MS} (60000).
   */
  public static OrderSettings fromEnv(Map<String, String> env) {
    String pgUri = env.get("PG_URI");
    if (pgUri == null || pgUri.isBlank()) {
      throw new IllegalArgumentException("PG_URI is not set");
    }
    BreakerSettings breaker = new BreakerSettings(
        number(env, "ORDER_BREAKER_TIMEOUT_MS", BreakerSettings.DEFAULTS.timeoutMs()),
        (int) number(env, "ORDER_BREAKER_MAX_FAILURES", BreakerSettings.DEFAULTS.maxFailures()),
        number(env, "ORDER_BREAKER_RESET_MS", BreakerSettings.DEFAULTS.resetTimeoutMs()));
    OrderSettings defaults = defaults(pgUri);
    OrderSettings settings = new OrderSettings(pgUri,
        (int) number(env, "ORDER_PG_POOL_SIZE", defaults.poolSize()),
        (int) number(env, "ORDER_PG_WAIT_QUEUE", defaults.poolWaitQueue()),
        breaker, breaker,
        number(env, "ORDER_OUTBOX_INTERVAL_MS", defaults.outboxIntervalMs()),
        number(env, "ORDER_RELEASE_RETRY_INTERVAL_MS", defaults.releaseRetryIntervalMs()),
        number(env, "ORDER_IDEMPOTENCY_WAIT_MS", defaults.idempotencyWaitMs()),
        number(env, "ORDER_IDEMPOTENCY_LEASE_MS", defaults.idempotencyLeaseMs()));
    // A claim counts as abandoned after the lease; its owner could otherwise still be placing its order when another
    // request takes the key over (both then hold stock until the first one's intent falls due).
    if (settings.idempotencyLeaseMs() <= settings.intentGraceMs()) {
      throw new IllegalArgumentException("ORDER_IDEMPOTENCY_LEASE_MS (" + settings.idempotencyLeaseMs()
          + ") must be longer than the time an order may take, its release intent's grace time ("
          + settings.intentGraceMs() + " ms with these breaker timeouts)");
    }
    return settings;
  }

  public OrderSettings withBreakers(BreakerSettings users, BreakerSettings products) {
    return new OrderSettings(pgUri, poolSize, poolWaitQueue, users, products, outboxIntervalMs,
        releaseRetryIntervalMs, idempotencyWaitMs, idempotencyLeaseMs);
  }

  public OrderSettings withIntervals(long outboxIntervalMs, long releaseRetryIntervalMs) {
    return new OrderSettings(pgUri, poolSize, poolWaitQueue, users, products, outboxIntervalMs,
        releaseRetryIntervalMs, idempotencyWaitMs, idempotencyLeaseMs);
  }

  /**
   * How long an order's release intent waits before the retrier may act on it: longer than the order path can take
   * from recording it to the end of its commit statement (user lookup, reserve, then a statement that may run until
   * PostgreSQL's statement timeout), with a margin.
   */
  public long intentGraceMs() {
    return users.timeoutMs() + products.timeoutMs() + OrderDatabase.STATEMENT_TIMEOUT_MS + 5_000;
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed <= 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
    }
  }
}
