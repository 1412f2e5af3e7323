package com.reactiveshop.product;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.cache.DocumentsById;
import com.reactiveshop.common.http.DocumentRoutes;
import com.reactiveshop.common.http.Timestamps;
import com.reactiveshop.nats.cache.CachedCollection;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import org.bson.types.ObjectId;

import java.util.Optional;

/**
 * The catalog in the MongoDB collection {@code products}. Ids are ObjectId hex strings kept as the {@code _id}
 * string; reads and writes by id go through the cache ({@link CachedCollection}). Stock movements made by
 * reservations are in {@link StockLedger}; this class edits the catalog.
 */
final class ProductStore implements DocumentRoutes.Store<Product> {

  static final String COLLECTION = "products";

  private final CachedCollection products;

  ProductStore(MongoClient mongo, CachedDocuments cache) {
    this.products = new CachedCollection(mongo, COLLECTION, cache, Product::toApi);
  }

  @Override
  public DocumentsById documents() {
    return products;
  }

  @Override
  public Future<CachedDocument> create(Product product) {
    String now = Timestamps.now();
    return products.insert(new JsonObject().put("_id", new ObjectId().toHexString()).put("createdAt", now)
        .mergeIn(fields(product, now)));
  }

  /**
   * Replaces the client's fields. Stock is set as given (what is left to sell, e.g. after a stock take); the
   * reservation holds ({@code holds}, {@code freed}) are left alone, so reservations in flight still complete or
   * give back exactly.
   */
  @Override
  public Future<Optional<CachedDocument>> update(String id, Product product) {
    return products.update(id, fields(product, Timestamps.now()));
  }

  private static JsonObject fields(Product product, String updatedAt) {
    return new JsonObject()
        .put("name", product.name())
        .put("description", product.description())
        .put("priceCents", product.priceCents())
        .put("stock", product.stock())
        .put("updatedAt", updatedAt);
  }

  static JsonObject byId(String id) {
    return CachedCollection.byId(id);
  }
}
