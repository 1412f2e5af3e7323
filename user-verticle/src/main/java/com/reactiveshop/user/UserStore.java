package com.reactiveshop.user;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.cache.DocumentCache;
import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.mongo.ByIdLookups;
import com.reactiveshop.common.mongo.MongoStores;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import org.bson.types.ObjectId;

import com.reactiveshop.common.http.Timestamps;
import java.util.Optional;

/**
 * Users in the MongoDB collection {@code users}. Ids are ObjectId hex strings kept as the {@code _id} string, and
 * every lookup filters on {@code _id} alone (the embedded server only uses an index on an exact key match).
 * Reads by id go through the cache; every write updates or drops the cached user when it is acknowledged, from the
 * document the store returns, and announces the change to other processes. Lists always read the store.
 */
final class UserStore {

  static final String COLLECTION = "users";

  private final MongoClient mongo;
  private final ByIdLookups lookups;
  private final CachedDocuments cache;

  UserStore(MongoClient mongo, CachedDocuments cache) {
    this.mongo = mongo;
    this.lookups = new ByIdLookups(mongo, COLLECTION);
    this.cache = cache;
  }

  Future<Void> createIndexes() {
    return mongo.createIndexWithOptions(COLLECTION, new JsonObject().put("emailKey", 1),
        new IndexOptions().unique(true).name("emailKey_unique"));
  }

  Future<CachedDocument> create(User user) {
    String now = Timestamps.now();
    String id = new ObjectId().toHexString();
    JsonObject document = new JsonObject()
        .put("_id", id)
        .put("name", user.name())
        .put("email", user.email())
        .put("emailKey", user.emailKey())
        .put("createdAt", now)
        .put("updatedAt", now);
    DocumentCache.Write write = cache.write(id);
    return mongo.insert(COLLECTION, document).transform(inserted -> {
      if (inserted.failed()) {
        write.dropped();
        return emailTaken(inserted.cause());
      }
      return Future.succeededFuture(write.written(User.toApi(document)));
    });
  }

  /** The cached user, or null (then ask {@link #find}). */
  CachedDocument cached(String id) {
    return cache.hit(id);
  }

  /** From the cache, else group-committed with the other lookups by id of this instance. */
  Future<Optional<CachedDocument>> find(String id) {
    return cache.find(id, this::load);
  }

  private Future<Optional<JsonObject>> load(String id) {
    return lookups.find(id).map(doc -> doc.map(User::toApi));
  }

  Future<JsonObject> list(Page page) {
    return MongoStores.page(mongo, COLLECTION, page, User::toApi);
  }

  Future<Optional<CachedDocument>> update(String id, User user) {
    JsonObject changes = new JsonObject().put("$set", new JsonObject()
        .put("name", user.name())
        .put("email", user.email())
        .put("emailKey", user.emailKey())
        .put("updatedAt", Timestamps.now()));
    DocumentCache.Write write = cache.write(id);
    return mongo.findOneAndUpdateWithOptions(COLLECTION, byId(id), changes, new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .transform(updated -> {
          if (updated.failed() || updated.result() == null) {
            write.dropped();
            return updated.failed() ? emailTaken(updated.cause()) : Future.succeededFuture(Optional.empty());
          }
          return Future.succeededFuture(Optional.of(write.written(User.toApi(updated.result()))));
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

  private static JsonObject byId(String id) {
    return new JsonObject().put("_id", id);
  }

  private static <T> Future<T> emailTaken(Throwable failure) {
    return Future.failedFuture(MongoStores.isDuplicateKey(failure)
        ? new ApiError(409, "email_taken", "A user with this email already exists.") : failure);
  }
}
