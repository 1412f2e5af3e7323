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
  /** "int" in the contract: totals of 100 items x 1000 units then stay exact in a JSON number (< 2^53). */
  static final long MAX_INT = Integer.MAX_VALUE;

  static Product fromRequest(JsonObject body) {
    JsonFields fields = JsonFields.of(body, FIELDS, JsonFields.READ_ONLY);
    String name = fields.name("name", 200, true);
    String description = fields.text("description", 2000, false);
    Long priceCents = fields.integer("priceCents", 0, MAX_INT, true);
    Long stock = fields.integer("stock", 0, MAX_INT, true);
    fields.validate();
    return new Product(name, description == null ? "" : description, priceCents, stock);
  }

  /** Only the API fields: the stock-hold markers kept on the document ({@code pending}) stay inside. */
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
