package com.reactiveshop.user;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.cache.DocumentsById;
import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.DocumentRoutes;
import com.reactiveshop.common.http.Timestamps;
import com.reactiveshop.common.mongo.MongoStores;
import com.reactiveshop.nats.cache.CachedCollection;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import org.bson.types.ObjectId;

import java.util.Optional;

/**
 * Users in the MongoDB collection {@code users}. Ids are ObjectId hex strings kept as the {@code _id} string; reads
 * and writes by id go through the cache ({@link CachedCollection}). Emails are unique through the index on
 * {@code emailKey} (the lower-cased address).
 */
final class UserStore implements DocumentRoutes.Store<User> {

  static final String COLLECTION = "users";

  private final MongoClient mongo;
  private final CachedCollection users;

  UserStore(MongoClient mongo, CachedDocuments cache) {
    this.mongo = mongo;
    this.users = new CachedCollection(mongo, COLLECTION, cache, User::toApi);
  }

  Future<Void> createIndexes() {
    return mongo.createIndexWithOptions(COLLECTION, new JsonObject().put("emailKey", 1),
        new IndexOptions().unique(true).name("emailKey_unique"));
  }

  @Override
  public DocumentsById documents() {
    return users;
  }

  @Override
  public Future<CachedDocument> create(User user) {
    String now = Timestamps.now();
    JsonObject document = new JsonObject().put("_id", new ObjectId().toHexString()).put("createdAt", now)
        .mergeIn(fields(user, now));
    return users.insert(document).recover(UserStore::emailTaken);
  }

  @Override
  public Future<Optional<CachedDocument>> update(String id, User user) {
    return users.update(id, fields(user, Timestamps.now())).recover(UserStore::emailTaken);
  }

  private static JsonObject fields(User user, String updatedAt) {
    return new JsonObject()
        .put("name", user.name())
        .put("email", user.email())
        .put("emailKey", user.emailKey())
        .put("updatedAt", updatedAt);
  }

  private static <T> Future<T> emailTaken(Throwable failure) {
    return Future.failedFuture(MongoStores.isDuplicateKey(failure)
        ? new ApiError(409, "email_taken", "A user with this email already exists.") : failure);
  }
}
