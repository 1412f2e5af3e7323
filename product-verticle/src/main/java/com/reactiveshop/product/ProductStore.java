package com.reactiveshop.product;

import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.mongo.ByIdLookups;
import com.reactiveshop.common.mongo.MongoStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import org.bson.types.ObjectId;

import com.reactiveshop.common.http.Timestamps;
import java.util.List;
import java.util.Optional;

/**
 * The catalog in the MongoDB collection {@code products}. Ids are ObjectId hex strings kept as the {@code _id}
 * string. Stock movements made by reservations are in {@link StockLedger}; this class edits the catalog.
 */
final class ProductStore {

  static final String COLLECTION = "products";

  private final MongoClient mongo;
  private final ByIdLookups lookups;

  ProductStore(MongoClient mongo) {
    this.mongo = mongo;
    this.lookups = new ByIdLookups(mongo, COLLECTION);
  }

  Future<JsonObject> create(Product product) {
    String now = Timestamps.now();
    JsonObject document = new JsonObject()
        .put("_id", new ObjectId().toHexString())
        .put("name", product.name())
        .put("description", product.description())
        .put("priceCents", product.priceCents())
        .put("stock", product.stock())
        .put("createdAt", now)
        .put("updatedAt", now);
    return mongo.insert(COLLECTION, document).map(id -> Product.toApi(document));
  }

  /** Group-committed with the other lookups by id of this instance (one {@code find} per round trip). */
  Future<Optional<JsonObject>> find(String id) {
    return lookups.find(id).map(doc -> doc.map(Product::toApi));
  }

  /** The products among {@code ids} (canonical, distinct) that exist, in no particular order. */
  Future<List<JsonObject>> findAll(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    JsonObject filter = new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(List.copyOf(ids))));
    return mongo.find(COLLECTION, filter).map(docs -> docs.stream().map(Product::toApi).toList());
  }

  Future<JsonObject> list(Page page) {
    return MongoStores.page(mongo, COLLECTION, page, Product::toApi);
  }

  /**
   * Replaces the client's fields. Stock is set as given (what is left to sell, e.g. after a stock take); the
   * reservation holds ({@code holds}, {@code freed}) are left alone, so reservations in flight still complete or
   * give back exactly.
   */
  Future<Optional<JsonObject>> update(String id, Product product) {
    JsonObject changes = new JsonObject().put("$set", new JsonObject()
        .put("name", product.name())
        .put("description", product.description())
        .put("priceCents", product.priceCents())
        .put("stock", product.stock())
        .put("updatedAt", Timestamps.now()));
    return mongo.findOneAndUpdateWithOptions(COLLECTION, byId(id), changes, new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .map(doc -> Optional.ofNullable(doc).map(Product::toApi));
  }

  Future<Boolean> delete(String id) {
    return mongo.removeDocument(COLLECTION, byId(id)).map(result -> result != null && result.getRemovedCount() > 0);
  }

  static JsonObject byId(String id) {
    return new JsonObject().put("_id", id);
  }
}
