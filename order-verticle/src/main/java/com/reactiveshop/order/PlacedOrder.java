package com.reactiveshop.order;

import io.vertx.core.buffer.Buffer;

/**
 * An order the order path has stored, with its JSON encoded once: the same bytes are the client's 201 body, the
 * payload of its created event and, for a keyed request, the answer stored under the Idempotency-Key. Encoding an
 * order three times was a measurable share of the order path's CPU.
 */
record PlacedOrder(Order order, Buffer json) {

  static PlacedOrder of(Order order) {
    return new PlacedOrder(order, order.toJson().toBuffer());
  }
}
