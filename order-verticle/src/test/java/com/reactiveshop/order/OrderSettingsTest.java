package com.reactiveshop.order;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings from the environment, and the canonical body fingerprint behind Idempotency-Key. */
class OrderSettingsTest {

  @Test
  void defaultsApplyWhereTheEnvironmentIsSilent() {
    OrderSettings settings = OrderSettings.fromEnv(Map.of("PG_URI", "postgresql://u:p@h:5432/order-service"));
    assertEquals(OrderSettings.defaults("postgresql://u:p@h:5432/order-service"), settings);
  }

  @Test
  void knobsAreRead() {
    OrderSettings settings = OrderSettings.fromEnv(Map.of("PG_URI", "postgresql://u:p@h:5432/db",
        "ORDER_PG_POOL_SIZE", "8", "ORDER_PG_WAIT_QUEUE", "100", "ORDER_BREAKER_TIMEOUT_MS", "500",
        "ORDER_BREAKER_MAX_FAILURES", "3", "ORDER_BREAKER_RESET_MS", "4000", "ORDER_OUTBOX_INTERVAL_MS", "250",
        "ORDER_RELEASE_RETRY_INTERVAL_MS", "1000", "ORDER_IDEMPOTENCY_WAIT_MS", "2000",
        "ORDER_IDEMPOTENCY_LEASE_MS", "30000"));
    assertEquals(new OrderSettings("postgresql://u:p@h:5432/db", 8, 100, new BreakerSettings(500, 3, 4000),
        new BreakerSettings(500, 3, 4000), 250, 1000, 2000, 30000), settings);
    assertEquals(4, settings.products().retryAfterSeconds());
  }

  @Test
  void missingUriAndBadNumbersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> OrderSettings.fromEnv(Map.of()));
    assertThrows(IllegalArgumentException.class, () -> OrderSettings.fromEnv(Map.of("PG_URI", "postgresql://h/db",
        "ORDER_BREAKER_TIMEOUT_MS", "soon")));
    assertThrows(IllegalArgumentException.class, () -> OrderSettings.fromEnv(Map.of("PG_URI", "postgresql://h/db",
        "ORDER_PG_POOL_SIZE", "0")));
  }

  @Test
  void blankValuesFallBackToDefaultsAndNumbersMayBePadded() {
    OrderSettings settings = OrderSettings.fromEnv(Map.of("PG_URI", "postgresql://h/db", "ORDER_PG_POOL_SIZE", " ",
        "ORDER_OUTBOX_INTERVAL_MS", " 250 "));
    assertEquals(OrderSettings.defaults("postgresql://h/db").poolSize(), settings.poolSize());
    assertEquals(250, settings.outboxIntervalMs());
    assertThrows(IllegalArgumentException.class, () -> OrderSettings.fromEnv(Map.of("PG_URI", " ")));
    assertThrows(IllegalArgumentException.class, () -> OrderSettings.fromEnv(Map.of("PG_URI", "postgresql://h/db",
        "ORDER_IDEMPOTENCY_LEASE_MS", "-1")));
  }

  @Test
  void theIdempotencyLeaseMustOutlastAnOrder() {
    IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> OrderSettings.fromEnv(
        Map.of("PG_URI", "postgresql://h/db", "ORDER_IDEMPOTENCY_LEASE_MS", "10000")));
    assertTrue(tooShort.getMessage().contains("ORDER_IDEMPOTENCY_LEASE_MS"), tooShort.getMessage());
    assertEquals(20_000, OrderSettings.fromEnv(Map.of("PG_URI", "postgresql://h/db",
        "ORDER_IDEMPOTENCY_LEASE_MS", "20000")).idempotencyLeaseMs());
  }

  @Test
  void theIntentGraceOutlastsTheWholeOrderPath() {
    OrderSettings settings = OrderSettings.defaults("postgresql://h/db")
        .withBreakers(new BreakerSettings(500, 3, 4000), new BreakerSettings(700, 3, 4000));
    // User lookup, then reserve, then a commit statement that may run until PostgreSQL's timeout, with a margin.
    assertTrue(settings.intentGraceMs() > 500 + 700 + OrderDatabase.STATEMENT_TIMEOUT_MS);
    assertEquals(settings, settings.withIntervals(settings.outboxIntervalMs(), settings.releaseRetryIntervalMs()));
  }

  @Test
  void fingerprintIgnoresKeyOrderButNotValues() {
    JsonObject a = new JsonObject("{\"userId\":\"u\",\"items\":[{\"productId\":\"p\",\"quantity\":1}]}");
    JsonObject b = new JsonObject("{\"items\":[{\"quantity\":1,\"productId\":\"p\"}],\"userId\":\"u\"}");
    JsonObject c = new JsonObject("{\"items\":[{\"quantity\":2,\"productId\":\"p\"}],\"userId\":\"u\"}");
    assertEquals(CanonicalJson.fingerprint(a), CanonicalJson.fingerprint(b));
    assertNotEquals(CanonicalJson.fingerprint(a), CanonicalJson.fingerprint(c));
  }
}
