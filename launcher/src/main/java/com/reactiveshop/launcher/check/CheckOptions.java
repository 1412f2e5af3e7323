package com.reactiveshop.launcher.check;

import com.reactiveshop.order.OrderSettings;
import com.reactiveshop.product.ProductVerticle;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * What the check knows beyond the stores, and how long each asynchronous repair may take before its absence is a
 * violation rather than work in progress.
 *
 * @param initialStock      product id to its stock before any order (known to tests and the bench; a live system may
 *                          not know it): then {@code initial = stock + units in CONFIRMED orders} is checked, which
 *                          holds only while no PUT changed the stock
 * @param acknowledged      order ids a client was answered for (201 or a cancel's 200), each with the status it must
 *                          have now ({@code CONFIRMED} or {@code CANCELLED}; null: either)
 * @param holdGraceMs       a hold ({@code holds.<attempt>} on a product) older than this is stale: the product
 *                          service's sweeper gives holds back after 15 s ({@code HoldSweeper.GRACE_MS}) and looks
 *                          every 5 s ({@code HoldSweeper.INTERVAL_MS}); the default adds 5 s of margin
 * @param pendingLateMs     a {@code pending_releases} row this far past its {@code next_attempt_at} is overdue (the
 *                          retrier runs every {@code ORDER_RELEASE_RETRY_INTERVAL_MS} and pushes it on each try)
 * @param pendingMaxAgeMs   a {@code pending_releases} row older than this is overdue whatever its schedule: an order's
 *                          intent is due after the order service's intent grace ({@code OrderSettings.intentGraceMs}), then
 *                          released at the next retry
 * @param outboxMaxAgeMs    an unpublished event older than this counts as missing, not as on its way
 */
public record CheckOptions(Map<String, Long> initialStock, Map<String, String> acknowledged, long holdGraceMs,
                           long pendingLateMs, long pendingMaxAgeMs, long outboxMaxAgeMs) {

  public static final long SWEEPER_GRACE_MS = ProductVerticle.STOCK_HOLD_GRACE_MS;
  public static final long SWEEPER_INTERVAL_MS = ProductVerticle.STOCK_HOLD_SWEEP_INTERVAL_MS;

  public CheckOptions {
    initialStock = initialStock == null ? Map.of() : Map.copyOf(initialStock);
    acknowledged = acknowledged == null ? Map.of() : Collections.unmodifiableMap(
        new HashMap<>(acknowledged));
  }

  /** Defaults derived from the order service's settings in {@code env} (the same variables it reads). */
  public static CheckOptions fromEnv(Map<String, String> env) {
    // The order service's own reading of its variables (PG_URI is required there, not used here).
    Map<String, String> withUri = new HashMap<>(env);
    withUri.putIfAbsent("PG_URI", "postgresql://unused");
    OrderSettings order = OrderSettings.fromEnv(withUri);
    long interval = order.releaseRetryIntervalMs();
    return new CheckOptions(Map.of(), Map.of(), SWEEPER_GRACE_MS + SWEEPER_INTERVAL_MS + 5_000,
        interval + 5_000, order.intentGraceMs() + 2 * interval + 10_000, 10 * order.outboxIntervalMs() + 20_000);
  }

  public static CheckOptions defaults() {
    return fromEnv(Map.of());
  }

  public CheckOptions withInitialStock(Map<String, Long> stock) {
    return new CheckOptions(stock, acknowledged, holdGraceMs, pendingLateMs, pendingMaxAgeMs, outboxMaxAgeMs);
  }

  public CheckOptions withAcknowledged(Map<String, String> orders) {
    return new CheckOptions(initialStock, orders, holdGraceMs, pendingLateMs, pendingMaxAgeMs, outboxMaxAgeMs);
  }
}
