package com.reactiveshop.order;

import com.reactiveshop.common.http.JsonFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /api/orders}, validated: a user id and 1..100 lines with distinct products. An id of the
 * wrong shape is not invalid: it names no user (422 {@code user_not_found}) or no product (422
 * {@code product_not_found}), as the lookups answer it.
 */
record OrderRequest(String userId, List<Line> lines) {

  static final int MAX_LINES = 100;
  static final int MAX_QUANTITY = 1000;
  private static final Set<String> FIELDS = Set.of("userId", "items");
  private static final Set<String> LINE_FIELDS = Set.of("productId", "quantity");

  record Line(String productId, int quantity) {

    JsonObject toJson() {
      return new JsonObject().put("productId", productId).put("quantity", quantity);
    }
  }

  /** Every problem is reported in one 400 {@code validation_failed}. */
  static OrderRequest fromBody(JsonObject body) {
    JsonFields fields = JsonFields.of(body, FIELDS, JsonFields.READ_ONLY);
    String userId = fields.id("userId");
    List<Line> lines = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    fields.eachObject("items", 1, MAX_LINES, LINE_FIELDS, (index, line) -> {
      String productId = line.id("productId");
      Long quantity = line.integer("quantity", 1, MAX_QUANTITY, true);
      if (productId != null && !seen.add(productId)) {
        line.error("productId", "appears more than once; list each product once");
      } else if (productId != null && quantity != null) {
        lines.add(new Line(productId, quantity.intValue()));
      }
    });
    fields.validate();
    return new OrderRequest(userId, List.copyOf(lines));
  }

  JsonArray linesJson() {
    JsonArray array = new JsonArray();
    lines.forEach(line -> array.add(line.toJson()));
    return array;
  }
}
