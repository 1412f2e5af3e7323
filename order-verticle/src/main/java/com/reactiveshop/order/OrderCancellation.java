package com.reactiveshop.order;

import com.reactiveshop.common.tracing.CurrentSpan;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /api/orders/{id}/cancel}. One transaction moves the order from CONFIRMED to CANCELLED, writes its
 * cancelled event and records the stock release to make; only the cancel that made the transition does this, so
 * cancelling twice releases once and publishes one event. After commit the release is tried at once; if the product
 * service cannot take it now, the recorded release is retried later. A second cancel answers the cancelled order.
 */
final class OrderCancellation {

  private final OrderDatabase database;
  private final OrderStore store;
  private final ReleaseRetries releases;
  private final OutboxRelay relay;
  private final OrderMetrics metrics;

  OrderCancellation(OrderDatabase database, OrderStore store, ReleaseRetries releases, OutboxRelay relay,
                    OrderMetrics metrics) {
    this.database = database;
    this.store = store;
    this.releases = releases;
    this.relay = relay;
    this.metrics = metrics;
  }

  /** The order after the cancel (empty: no such order). */
  Future<Optional<JsonObject>> cancel(UUID id) {
    return database.<Optional<Order>>inTransactionForClient(tx -> store.markCancelled(tx, id).compose(changed -> {
          if (changed.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
          }
          JsonObject body = changed.get().toJson();
          return OutboxRelay.append(tx, OutboxRelay.CANCELLED, body, CurrentSpan.traceparent())
              .compose(v -> releases.record(tx, id, "order cancelled", null))
              .map(changed);
        }))
        .compose(changed -> {
          if (changed.isEmpty()) {
            // Nothing changed: unknown, or already cancelled (then it is simply shown again).
            return store.find(id).map(order -> order.map(Order::toJson));
          }
          relay.kick();
          metrics.cancelled();
          return releases.deliver(id).map(v -> changed.map(Order::toJson));
        });
  }
}
