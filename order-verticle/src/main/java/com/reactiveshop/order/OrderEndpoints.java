package com.reactiveshop.order;

import com.reactiveshop.common.http.JsonFields;
import com.reactiveshop.nats.NatsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The NATS endpoints of {@code order-service}: {@code orders.get}. */
final class OrderEndpoints {

  private final OrderStore store;

  OrderEndpoints(OrderStore store) {
    this.store = store;
  }

  List<NatsEndpoint> endpoints() {
    return List.of(new NatsEndpoint("get", "orders.get", this::get));
  }

  /** {@code {"id"}} → the order; a string id of the wrong shape is simply not found, as over HTTP. */
  private Future<JsonObject> get(JsonObject request) {
    return store.find(OrderIds.require(JsonFields.idOf(request)))
        .map(order -> order.orElseThrow(OrderIds::notFound).toJson());
  }
}
