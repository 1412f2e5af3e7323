package com.reactiveshop.product;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.http.JsonFields;
import com.reactiveshop.nats.NatsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The NATS endpoints of {@code product-service}: {@code products.get}, {@code products.reserve},
 * {@code products.release}.
 */
final class ProductEndpoints {

  static final int MAX_IDS = 100;
  private static final Buffer ITEMS = Buffer.buffer("{\"items\":[");
  private static final Buffer MISSING = Buffer.buffer("],\"missing\":[");
  private static final Buffer END = Buffer.buffer("]}");

  private final ProductStore products;
  private final Reservations reservations;

  ProductEndpoints(ProductStore products, Reservations reservations) {
    this.products = products;
    this.reservations = reservations;
  }

  List<NatsEndpoint> endpoints() {
    return List.of(
        NatsEndpoint.encoded("get", "products.get", this::get),
        new NatsEndpoint("reserve", "products.reserve", this::reserve),
        new NatsEndpoint("release", "products.release", this::release));
  }

  /**
   * {@code {"ids": [1..100 strings]}} → {@code {"items": [...], "missing": [...]}}, both in the order asked, each id
   * once. An id string of the wrong shape is simply missing; an id that is not a string is a 400. Cached products
   * are copied into the reply as the bytes they are cached as; the others are read in one group-committed lookup.
   */
  private Future<Buffer> get(JsonObject request) {
    JsonFields fields = JsonFields.of(request, Set.of("ids"));
    JsonArray ids = fields.array("ids", 1, MAX_IDS);
    Set<String> asked = new LinkedHashSet<>();
    if (ids != null) {
      for (int i = 0; i < ids.size(); i++) {
        if (ids.getValue(i) instanceof String id) {
          asked.add(ProductIds.isWellFormed(id) ? ProductIds.canonical(id) : id);
        } else {
          fields.error("ids[" + i + "]", "must be a string");
        }
      }
    }
    fields.validate();
    List<String> order = new ArrayList<>(asked);
    CachedDocument[] found = new CachedDocument[order.size()];
    List<Future<Optional<CachedDocument>>> misses = null;
    List<Integer> missed = null;
    for (int i = 0; i < found.length; i++) {
      String id = order.get(i);
      if (!ProductIds.isWellFormed(id)) {
        continue;
      }
      found[i] = products.cached(id);
      if (found[i] == null) {
        if (misses == null) {
          misses = new ArrayList<>();
          missed = new ArrayList<>();
        }
        misses.add(products.find(id));
        missed.add(i);
      }
    }
    if (misses == null) {
      return Future.succeededFuture(reply(order, found));
    }
    List<Future<Optional<CachedDocument>>> lookups = misses;
    List<Integer> positions = missed;
    return Future.all(lookups).map(all -> {
      for (int i = 0; i < lookups.size(); i++) {
        found[positions.get(i)] = lookups.get(i).result().orElse(null);
      }
      return reply(order, found);
    });
  }

  private static Buffer reply(List<String> ids, CachedDocument[] found) {
    Buffer reply = Buffer.buffer(64 + found.length * 256).appendBuffer(ITEMS);
    boolean first = true;
    for (CachedDocument product : found) {
      if (product != null) {
        if (!first) {
          reply.appendByte((byte) ',');
        }
        reply.appendBuffer(product.json());
        first = false;
      }
    }
    reply.appendBuffer(MISSING);
    first = true;
    for (int i = 0; i < found.length; i++) {
      if (found[i] == null) {
        if (!first) {
          reply.appendByte((byte) ',');
        }
        reply.appendString(Json.encode(ids.get(i)));
        first = false;
      }
    }
    return reply.appendBuffer(END);
  }

  private Future<JsonObject> reserve(JsonObject request) {
    return reservations.reserve(ReservationRequest.fromJson(request));
  }

  /** {@code {"orderId"}} → {@code {"orderId", "released"}}; an unknown order id is not an error. */
  private Future<JsonObject> release(JsonObject request) {
    JsonFields fields = JsonFields.of(request, Set.of("orderId"));
    String orderId = ReservationRequest.orderId(fields);
    fields.validate();
    return reservations.release(orderId);
  }
}
