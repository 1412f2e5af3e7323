package com.reactiveshop.product;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.cache.DocumentCache;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.http.Timestamps;
import com.reactiveshop.common.mongo.ByIdLookups;
import com.reactiveshop.common.mongo.MongoStores;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import org.bson.types.ObjectId;

import java.util.Optional;

/**
 * The catalog in the MongoDB collection {@code products}. Ids are ObjectId hex strings kept as the {@code _id}
 * string. Stock movements made by reservations are in {@link StockLedger}; this class edits the catalog.
 *
 * <p>Reads by id go through the cache ({@link CachedDocuments}); every write here updates or drops the cached
 * product when it is acknowledged, from the document the store returns, and announces the change to other
 * processes. Lists always read the store.
 */
final class ProductStore {

  static final String COLLECTION = "products";

  private final MongoClient mongo;
  private final ByIdLookups lookups;
  private final CachedDocuments cache;

  ProductStore(MongoClient mongo, CachedDocuments cache) {
    this.mongo = mongo;
    this.lookups = new ByIdLookups(mongo, COLLECTION);
    this.cache = cache;
  }

  Future<CachedDocument> create(Product product) {
    String now = Timestamps.now();
    String id = new ObjectId().toHexString();
    JsonObject document = new JsonObject()
        .put("_id", id)
        .put("name", product.name())
        .put("description", product.description())
        .put("priceCents", product.priceCents())
        .put("stock", product.stock())
        .put("createdAt", now)
        .put("updatedAt", now);
    DocumentCache.Write write = cache.write(id);
    return mongo.insert(COLLECTION, document).transform(inserted -> {
      if (inserted.failed()) {
        write.dropped();
        return Future.failedFuture(inserted.cause());
      }
      return Future.succeededFuture(write.written(Product.toApi(document)));
    });
  }

  /** The cached product, or null (then ask {@link #find}). */
  CachedDocument cached(String id) {
    return cache.hit(id);
  }

  /** From the cache, else group-committed with the other lookups by id of this instance. */
  Future<Optional<CachedDocument>> find(String id) {
    return cache.find(id, this::load);
  }

  private Future<Optional<JsonObject>> load(String id) {
    return lookups.find(id).map(doc -> doc.map(Product::toApi));
  }

  Future<JsonObject> list(Page page) {
    return MongoStores.page(mongo, COLLECTION, page, Product::toApi);
  }

  /**
   * Replaces the client's fields. Stock is set as given (what is left to sell, e.g. after a stock take); the
   * reservation holds ({@code holds}, {@code freed}) are left alone, so reservations in flight still complete or
   * give back exactly.
   */
  Future<Optional<CachedDocument>> update(String id, Product product) {
    JsonObject changes = new JsonObject().put("$set", new JsonObject()
        .put("name", product.name())
        .put("description", product.description())
        .put("priceCents", product.priceCents())
        .put("stock", product.stock())
        .put("updatedAt", Timestamps.now()));
    DocumentCache.Write write = cache.write(id);
    return mongo.findOneAndUpdateWithOptions(COLLECTION, byId(id), changes, new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .transform(updated -> {
          if (updated.failed() || updated.result() == null) {
            write.dropped();
            return updated.failed() ? Future.failedFuture(updated.cause()) : Future.succeededFuture(Optional.empty());
          }
          return Future.succeededFuture(Optional.of(write.written(Product.toApi(updated.result()))));
        });
  }

  Future<Boolean> delete(String id) {
    return mongo.removeDocument(COLLECTION, byId(id))
        .map(result -> result != null && result.getRemovedCount() > 0)
        .andThen(removed -> {
          if (removed.failed() || removed.result()) {
            cache.changed(id);
          }
        });
  }

  static JsonObject byId(String id) {
    return new JsonObject().put("_id", id);
  }
}
