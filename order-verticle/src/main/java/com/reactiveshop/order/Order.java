package com.reactiveshop.order;

import com.reactiveshop.common.http.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An order as stored and as shown: {@code {"id","userId","status","items","totalCents","createdAt","updatedAt"}}. */
record Order(UUID id, String userId, String status, List<Item> items, long totalCents, Instant createdAt,
             Instant updatedAt) {

  static final String CONFIRMED = "CONFIRMED";
  static final String CANCELLED = "CANCELLED";

  /** One line; name and price are copied from the product when the order is placed. */
  record Item(String productId, String name, int quantity, long priceCents) {

    JsonObject toJson() {
      return new JsonObject().put("productId", productId).put("name", name).put("quantity", quantity)
          .put("priceCents", priceCents);
    }
  }

  /**
   * The confirmed order built from the request's lines (their order and quantities) and the reservation reply of the
   * product service (names and prices). Fails if the reply does not cover every line.
   */
  static Order confirmed(UUID id, OrderRequest request, JsonObject reservation) {
    Map<String, JsonObject> reserved = new HashMap<>();
    JsonArray replyItems = reservation.getJsonArray("items", new JsonArray());
    for (int i = 0; i < replyItems.size(); i++) {
      JsonObject item = replyItems.getJsonObject(i);
      reserved.put(item.getString("productId"), item);
    }
    List<Item> items = request.lines().stream().map(line -> {
      JsonObject item = reserved.get(line.productId());
      if (item == null || !(item.getValue("priceCents") instanceof Number price)) {
        throw new IllegalStateException("products.reserve did not confirm product " + line.productId());
      }
      return new Item(line.productId(), item.getString("name", ""), line.quantity(), price.longValue());
    }).toList();
    long total = items.stream().mapToLong(item -> item.quantity() * item.priceCents()).sum();
    // Milliseconds: what PostgreSQL stores (microseconds) and reads back must print the same as what was answered.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Order(id, request.userId(), CONFIRMED, items, total, now, now);
  }

  /** Reads a row of {@link OrderStore#SELECT}: the order columns and its lines aggregated as JSON. */
  static Order fromRow(Row row) {
    JsonArray lines = row.getJsonArray("items");
    List<Item> items = lines == null ? List.of() : lines.stream().map(value -> {
      JsonObject line = (JsonObject) value;
      return new Item(line.getString("productId"), line.getString("name"), line.getInteger("quantity"),
          line.getLong("priceCents"));
    }).toList();
    return new Order(row.getUUID("id"), row.getString("user_id"), row.getString("status"), items,
        row.getLong("total_cents"), row.getOffsetDateTime("created_at").toInstant(),
        row.getOffsetDateTime("updated_at").toInstant());
  }

  JsonObject toJson() {
    JsonArray lines = new JsonArray();
    items.forEach(item -> lines.add(item.toJson()));
    return new JsonObject()
        .put("id", id.toString())
        .put("userId", userId)
        .put("status", status)
        .put("items", lines)
        .put("totalCents", totalCents)
        .put("createdAt", Timestamps.format(createdAt))
        .put("updatedAt", Timestamps.format(updatedAt));
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
