package com.reactiveshop.nats.cache;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.cache.DocumentCache;
import com.reactiveshop.common.cache.DocumentsById;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.mongo.ByIdLookups;
import com.reactiveshop.common.mongo.MongoStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.Optional;
import java.util.function.Function;

/**
 * A MongoDB collection whose documents are read and written by {@code _id} through the service's
 * {@link CachedDocuments}: reads by id come from the cache, else are group-committed with the instance's other
 * lookups ({@link ByIdLookups}); every write updates or drops the cached document once acknowledged, from the
 * document the store returns, and announces the change to other processes. Lists always read the store. Every
 * filter is {@code _id} alone (the embedded server uses an index only on an exact key match).
 */
public final class CachedCollection implements DocumentsById {

  private final MongoClient mongo;
  private final String collection;
  private final CachedDocuments cache;
  private final Function<JsonObject, JsonObject> toApi;
  private final ByIdLookups lookups;

  /** {@code toApi} turns a stored document into the JSON the API shows (and the cache keeps). */
  public CachedCollection(MongoClient mongo, String collection, CachedDocuments cache,
                          Function<JsonObject, JsonObject> toApi) {
    this.mongo = mongo;
    this.collection = collection;
    this.cache = cache;
    this.toApi = toApi;
    this.lookups = new ByIdLookups(mongo, collection);
  }

  /** Stores {@code document} (its {@code _id} set); a failed insert fails as the driver reported it. */
  public Future<CachedDocument> insert(JsonObject document) {
    DocumentCache.Write write = cache.write(document.getString("_id"));
    return mongo.insert(collection, document).transform(inserted -> {
      if (inserted.failed()) {
        write.dropped();
        return Future.failedFuture(inserted.cause());
      }
      return Future.succeededFuture(write.written(toApi.apply(document)));
    });
  }

  /** The cached document, or null (then ask {@link #find}). */
  @Override
  public CachedDocument cached(String id) {
    return cache.hit(id);
  }

  /** From the cache, else group-committed with the other lookups by id of this instance. */
  @Override
  public Future<Optional<CachedDocument>> find(String id) {
    return cache.find(id, this::load);
  }

  private Future<Optional<JsonObject>> load(String id) {
    return lookups.find(id).map(document -> document.map(toApi));
  }

  @Override
  public Future<JsonObject> list(Page page) {
    return MongoStores.page(mongo, collection, page, toApi);
  }

  /** Sets {@code fields} on the document; empty when there is none with this id. */
  public Future<Optional<CachedDocument>> update(String id, JsonObject fields) {
    DocumentCache.Write write = cache.write(id);
    return mongo.findOneAndUpdateWithOptions(collection, byId(id), new JsonObject().put("$set", fields),
            new FindOptions(), new UpdateOptions().setReturningNewDocument(true))
        .transform(updated -> {
          if (updated.failed() || updated.result() == null) {
            write.dropped();
            return updated.failed() ? Future.failedFuture(updated.cause()) : Future.succeededFuture(Optional.empty());
          }
          return Future.succeededFuture(Optional.of(write.written(toApi.apply(updated.result()))));
        });
  }

  /** Whether a document with this id was there to remove. */
  @Override
  public Future<Boolean> delete(String id) {
    return mongo.removeDocument(collection, byId(id))
        .map(result -> result != null && result.getRemovedCount() > 0)
        .andThen(removed -> {
          if (removed.failed() || removed.result()) {
            cache.changed(id);
          }
        });
  }

  /** The filter of one document: {@code {_id}} alone. */
  public static JsonObject byId(String id) {
    return new JsonObject().put("_id", id);
  }
}
