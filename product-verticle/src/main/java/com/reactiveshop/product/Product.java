package com.reactiveshop.product;

import com.reactiveshop.common.http.JsonFields;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The fields a client may set on a product, validated; and the mapping between stored documents and API JSON.
 * An absent description is stored and shown as {@code ""}, so clients always get a string.
 */
record Product(String name, String description, long priceCents, long stock) {

  private static final Set<String> FIELDS = Set.of("name", "description", "priceCents", "stock");
  /** Prices stay within a 32-bit int, so order totals (100 items x 1000 units) are exact in any JSON number. */
  static final long MAX_PRICE = Integer.MAX_VALUE;
  /**
   * Stock may exceed a 32-bit int: cancelled orders add their units back on top of what a PUT set, and a client must
   * be able to PUT back what it read. The bound keeps it exact in any JSON number (2^53 - 1).
   */
  static final long MAX_STOCK = 9_007_199_254_740_991L;

  static Product fromRequest(JsonObject body) {
    JsonFields fields = JsonFields.of(body, FIELDS, JsonFields.READ_ONLY);
    String name = fields.name("name", 200, true);
    String description = fields.text("description", 2000, false);
    Long priceCents = fields.integer("priceCents", 0, MAX_PRICE, true);
    Long stock = fields.integer("stock", 0, MAX_STOCK, true);
    fields.validate();
    return new Product(name, description == null ? "" : description, priceCents, stock);
  }

  /** Only the API fields: the reservation holds kept on the document ({@code holds}, {@code freed}) stay inside. */
  static JsonObject toApi(JsonObject document) {
    return new JsonObject()
        .put("id", document.getString("_id"))
        .put("name", document.getString("name"))
        .put("description", document.getString("description", ""))
        .put("priceCents", document.getLong("priceCents"))
        .put("stock", document.getLong("stock"))
        .put("createdAt", document.getString("createdAt"))
        .put("updatedAt", document.getString("updatedAt"));
  }
}
