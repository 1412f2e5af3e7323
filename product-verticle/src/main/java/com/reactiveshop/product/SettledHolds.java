package com.reactiveshop.product;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Holds of confirmed attempts waiting to be dropped from their products. Their records now account for the units, so
 * dropping them changes nothing a client sees, and under load it is not worth a write of its own: the next flush of
 * takes on the same product carries the {@code $unset} in the update it writes anyway ({@link StockLedger}), so a
 * product document is rewritten once per flush instead of twice. What no take picks up within a second
 * (a product nobody orders right now) is dropped by one bulk write of its own; a hold whose drop failed is found by
 * {@link HoldSweeper}, whose grace is far longer.
 *
 * <p>Touched only on the product verticle's event loop.
 */
final class SettledHolds {

  static final long FALLBACK_MS = 1_000;

  private final Vertx vertx;
  private final long fallbackMs;
  private final Function<Map<String, JsonObject>, Future<?>> dropAll;
  /** Per product id: the {@code $unset} document of its settled holds ({@code holds.<attempt>: ""}). */
  private Map<String, JsonObject> pending = new LinkedHashMap<>();
  private long timer = -1;

  /** {@code dropAll} unsets, per product id, the fields given (one bulk write). */
  SettledHolds(Vertx vertx, long fallbackMs, Function<Map<String, JsonObject>, Future<?>> dropAll) {
    this.vertx = vertx;
    this.fallbackMs = fallbackMs;
    this.dropAll = dropAll;
  }

  void add(String attempt, List<String> productIds) {
    for (String productId : productIds) {
      pending.computeIfAbsent(productId, id -> new JsonObject()).put(StockLedger.holdField(attempt), "");
    }
    armFallback();
  }

  /** The {@code $unset} of the product's settled holds, now owned by the caller's write; null if there is none. */
  JsonObject claim(String productId) {
    return pending.remove(productId);
  }

  /** A claimed {@code $unset} whose write did not land (or whose outcome is unknown) waits again. */
  void putBack(String productId, JsonObject unset) {
    if (unset == null) {
      return;
    }
    pending.merge(productId, unset, JsonObject::mergeIn);
    armFallback();
  }

  /** Drops whatever is pending now, without waiting for a take (at stop). */
  Future<?> flush() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, JsonObject> batch = pending;
    pending = new LinkedHashMap<>();
    // A failed drop is left to HoldSweeper: nothing waits for it.
    return dropAll.apply(batch).otherwiseEmpty();
  }

  private void armFallback() {
    if (timer < 0 && !pending.isEmpty()) {
      timer = vertx.setTimer(fallbackMs, id -> {
        timer = -1;
        flush();
      });
    }
  }
}
