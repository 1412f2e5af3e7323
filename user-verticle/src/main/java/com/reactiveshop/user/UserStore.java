package com.reactiveshop.user;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.mongo.ByIdLookups;
import com.reactiveshop.common.mongo.MongoStores;
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
 */
final class UserStore {

  static final String COLLECTION = "users";

  private final MongoClient mongo;
  private final ByIdLookups lookups;

  UserStore(MongoClient mongo) {
    this.mongo = mongo;
    this.lookups = new ByIdLookups(mongo, COLLECTION);
  }

  Future<Void> createIndexes() {
    return mongo.createIndexWithOptions(COLLECTION, new JsonObject().put("emailKey", 1),
        new IndexOptions().unique(true).name("emailKey_unique"));
  }

  Future<JsonObject> create(User user) {
    String now = Timestamps.now();
    JsonObject document = new JsonObject()
        .put("_id", new ObjectId().toHexString())
        .put("name", user.name())
        .put("email", user.email())
        .put("emailKey", user.emailKey())
        .put("createdAt", now)
        .put("updatedAt", now);
    return mongo.insert(COLLECTION, document)
        .recover(UserStore::emailTaken)
        .map(id -> User.toApi(document));
  }

  /** Group-committed with the other lookups by id of this instance (one {@code find} per round trip). */
  Future<Optional<JsonObject>> find(String id) {
    return lookups.find(id).map(doc -> doc.map(User::toApi));
  }

  Future<JsonObject> list(Page page) {
    return MongoStores.page(mongo, COLLECTION, page, User::toApi);
  }

  Future<Optional<JsonObject>> update(String id, User user) {
    JsonObject changes = new JsonObject().put("$set", new JsonObject()
        .put("name", user.name())
        .put("email", user.email())
        .put("emailKey", user.emailKey())
        .put("updatedAt", Timestamps.now()));
    return mongo.findOneAndUpdateWithOptions(COLLECTION, byId(id), changes, new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .recover(UserStore::emailTaken)
        .map(doc -> Optional.ofNullable(doc).map(User::toApi));
  }

  Future<Boolean> delete(String id) {
    return mongo.removeDocument(COLLECTION, byId(id)).map(result -> result != null && result.getRemovedCount() > 0);
  }

  private static JsonObject byId(String id) {
    return new JsonObject().put("_id", id);
  }

  private static <T> Future<T> emailTaken(Throwable failure) {
    return Future.failedFuture(MongoStores.isDuplicateKey(failure)
        ? new ApiError(409, "email_taken", "A user with this email already exists.") : failure);
  }
}
