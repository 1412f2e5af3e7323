package com.reactiveshop.product;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import com.reactiveshop.common.http.Timestamps;
import com.reactiveshop.common.mongo.MongoStores;
import java.util.Optional;

/**
 * Reservation records in the MongoDB collection {@code reservations}, one per order id:
 * {@code {_id: orderId, status, items: [{productId, quantity, name?, priceCents?}], totalCents?, error?}}.
 * The collection grows with every order, so every filter is on {@code _id} alone (an index lookup on the embedded
 * server too). Records are only written while holding the order's lease ({@link ReservationLocks}), so a plain
 * read-then-write on {@code _id} cannot race with another writer.
 */
final class ReservationStore {

  static final String COLLECTION = "reservations";

  /** Intent written, stock being taken (or a worker died while taking it). */
  static final String PENDING = "PENDING";
  /** Every item is taken; the record's items are what the order holds. */
  static final String CONFIRMED = "CONFIRMED";
  /** Something was short or unknown; nothing is held; {@code error} is the answer that was given. */
  static final String FAILED = "FAILED";
  /** Giving a confirmed reservation's stock back (or a worker died while doing so). */
  static final String RELEASING = "RELEASING";
  /** Final: nothing is held, and this order id will reserve nothing any more. */
  static final String RELEASED = "RELEASED";

  private final MongoClient mongo;

  ReservationStore(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<Optional<JsonObject>> find(String orderId) {
    return mongo.findOne(COLLECTION, byId(orderId), null).map(Optional::ofNullable);
  }

  /**
   * Records the intent (the items asked for) BEFORE any stock is taken, for an order id that has no record: an insert,
   * which the unique {@code _id} refuses when there is one (empty then; {@link #find} tells what it is).
   */
  Future<Optional<JsonObject>> beginNew(String orderId, JsonArray items) {
    JsonObject record = pending(orderId, items);
    return mongo.insert(COLLECTION, record).map(id -> Optional.of(record))
        .recover(failure -> MongoStores.isDuplicateKey(failure) ? Future.succeededFuture(Optional.empty())
            : Future.failedFuture(failure));
  }

  /** Records the intent (the items asked for) BEFORE any stock is taken; replaces a FAILED attempt. */
  Future<JsonObject> begin(String orderId, JsonArray items) {
    return replace(pending(orderId, items));
  }

  private static JsonObject pending(String orderId, JsonArray items) {
    String now = Timestamps.now();
    return new JsonObject().put("_id", orderId).put("status", PENDING).put("items", items)
        .put("createdAt", now).put("updatedAt", now);
  }

  /** A release for an order id never reserved: remembered, so that a late reserve for it takes nothing. */
  Future<JsonObject> tombstone(String orderId) {
    String now = Timestamps.now();
    JsonObject record = new JsonObject().put("_id", orderId).put("status", RELEASED).put("items", new JsonArray())
        .put("createdAt", now).put("updatedAt", now);
    return replace(record);
  }

  Future<Void> confirm(String orderId, JsonArray items, long totalCents) {
    return set(orderId, new JsonObject().put("status", CONFIRMED).put("items", items).put("totalCents", totalCents));
  }

  Future<Void> fail(String orderId, JsonObject error) {
    return set(orderId, new JsonObject().put("status", FAILED).put("error", error));
  }

  Future<Void> status(String orderId, String status) {
    return set(orderId, new JsonObject().put("status", status));
  }

  private Future<JsonObject> replace(JsonObject record) {
    return mongo.replaceDocumentsWithOptions(COLLECTION, byId(record.getString("_id")), record,
        new UpdateOptions().setUpsert(true)).map(result -> record);
  }

  private Future<Void> set(String orderId, JsonObject fields) {
    JsonObject update = new JsonObject().put("$set", fields.put("updatedAt", Timestamps.now()));
    return mongo.updateCollection(COLLECTION, byId(orderId), update).mapEmpty();
  }

  private static JsonObject byId(String orderId) {
    return new JsonObject().put("_id", orderId);
  }
}
