package com.reactiveshop.product;

import com.reactiveshop.common.http.JsonFields;
import com.reactiveshop.nats.NatsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The NATS endpoints of {@code product-service}: {@code products.get}, {@code products.reserve},
 * {@code products.release}.
 */
final class ProductEndpoints {

  static final int MAX_IDS = 100;

  private final ProductStore products;
  private final Reservations reservations;

  ProductEndpoints(ProductStore products, Reservations reservations) {
    this.products = products;
    this.reservations = reservations;
  }

  List<NatsEndpoint> endpoints() {
    return List.of(
        new NatsEndpoint("get", "products.get", this::get),
        new NatsEndpoint("reserve", "products.reserve", this::reserve),
        new NatsEndpoint("release", "products.release", this::release));
  }

  /**
   * {@code {"ids": [1..100 strings]}} → {@code {"items": [...], "missing": [...]}}, both in the order asked, each id
   * once. An id string of the wrong shape is simply missing; an id that is not a string is a 400.
   */
  private Future<JsonObject> get(JsonObject request) {
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
    List<String> wellFormed = asked.stream().filter(ProductIds::isWellFormed).toList();
    return products.findAll(wellFormed).map(found -> {
      Map<String, JsonObject> byId = new LinkedHashMap<>();
      found.forEach(product -> byId.put(product.getString("id"), product));
      JsonArray items = new JsonArray();
      JsonArray missing = new JsonArray();
      for (String id : asked) {
        JsonObject product = byId.get(id);
        if (product != null) {
          items.add(product);
        } else {
          missing.add(id);
        }
      }
      return new JsonObject().put("items", items).put("missing", missing);
    });
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
