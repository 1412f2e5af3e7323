package com.reactiveshop.product;

import com.reactiveshop.common.http.JsonFields;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated {@code products.reserve} request: {@code {"orderId", "items": [{"productId", "quantity"}]}}.
 * Limits follow the order contract: 1..100 items with distinct product ids, quantities 1..1000. A product id that is
 * a string of the wrong shape is not a validation error: like an unknown id, it is answered 404.
 */
record ReservationRequest(String orderId, List<Item> items) {

  static final int MAX_ITEMS = 100;
  static final long MAX_QUANTITY = 1000;
  private static final Set<String> FIELDS = Set.of("orderId", "items");
  private static final Set<String> ITEM_FIELDS = Set.of("productId", "quantity");

  record Item(String productId, long quantity) {
  }

  static ReservationRequest fromJson(JsonObject body) {
    JsonFields fields = JsonFields.of(body, FIELDS);
    String orderId = orderId(fields);
    List<Item> items = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    fields.eachObject("items", 1, MAX_ITEMS, ITEM_FIELDS, (index, item) -> {
      String productId = item.name("productId", 100, true);
      Long quantity = item.integer("quantity", 1, MAX_QUANTITY, true);
      if (productId == null || quantity == null) {
        return;
      }
      String key = ProductIds.isWellFormed(productId) ? ProductIds.canonical(productId) : productId;
      Integer earlier = seen.putIfAbsent(key, index);
      if (earlier != null) {
        item.error("productId", "repeats the product of items[" + earlier + "]");
        return;
      }
      items.add(new Item(key, quantity));
    });
    fields.validate();
    return new ReservationRequest(orderId, List.copyOf(items));
  }

  /** The order id of {@code products.reserve} and {@code products.release}: a non-blank string of 1..100 chars. */
  static String orderId(JsonFields fields) {
    return fields.name("orderId", 100, true);
  }
}
