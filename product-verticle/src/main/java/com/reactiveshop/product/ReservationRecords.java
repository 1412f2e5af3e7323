package com.reactiveshop.product;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.reactiveshop.common.async.BatchMetrics;
import com.reactiveshop.common.async.GroupCommit;
import com.reactiveshop.common.http.Timestamps;
import com.reactiveshop.common.mongo.ByIdLookups;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.MongoClient;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Reservation records in the MongoDB collection {@code reservations}, one per order id, written once by an INSERT:
 * <ul>
 *   <li>{@code {_id: orderId, status: CONFIRMED, attempt, items: [{productId, name, quantity, priceCents}],
 *   totalCents}}: the attempt {@code attempt} holds these units for the order;</li>
 *   <li>{@code {_id: orderId, status: RELEASED}}: nothing is held, and this order id reserves nothing any more (a
 *   confirmed record becomes RELEASED once its units are back; a release of an unknown order id inserts it as a
 *   tombstone).</li>
 * </ul>
 * The unique {@code _id} is what decides races: of a CONFIRMED insert by an attempt and a RELEASED tombstone by a
 * release (or by {@link HoldSweeper}), exactly one lands, so a late or stalled attempt can never turn a released
 * order id back into a confirmed one. Inserts and reads are group-committed: one command for everything that arrived
 * while the previous one was in flight. Every filter is an {@code _id} lookup (an index lookup on the embedded
 * server too, which scans for filters without an {@code _id} equality).
 */
final class ReservationRecords {

  static final String COLLECTION = "reservations";
  static final String CONFIRMED = "CONFIRMED";
  static final String RELEASED = "RELEASED";
  private static final int DUPLICATE_KEY = 11000;
  private static final int MAX_BATCH = 500;

  private final MongoClient mongo;
  private final GroupCommit<JsonObject, Boolean> inserts;
  private final ByIdLookups reads;

  ReservationRecords(MongoClient mongo) {
    this.mongo = mongo;
    this.inserts = new GroupCommit<>(this::insertBatch, MAX_BATCH,
        BatchMetrics.of("mongodb", "reservation_insert"));
    this.reads = new ByIdLookups(mongo, COLLECTION);
  }

  static JsonObject confirmed(String orderId, String attempt, JsonArray lines, long totalCents) {
    String now = Timestamps.now();
    return new JsonObject().put("_id", orderId).put("status", CONFIRMED).put("attempt", attempt)
        .put("items", lines).put("totalCents", totalCents).put("createdAt", now).put("updatedAt", now);
  }

  static JsonObject tombstone(String orderId) {
    String now = Timestamps.now();
    return new JsonObject().put("_id", orderId).put("status", RELEASED).put("createdAt", now).put("updatedAt", now);
  }

  /** True when this insert created the record; false when the order id already has one ({@link #find} says what). */
  Future<Boolean> insert(JsonObject record) {
    return inserts.submit(record);
  }

  Future<Optional<JsonObject>> find(String orderId) {
    return reads.find(orderId);
  }

  /**
   * The record's units are back: it is final. True for the one call that moved it from CONFIRMED (of releases
   * racing on several instances, exactly one learns it released the reservation).
   */
  Future<Boolean> markReleased(String orderId) {
    JsonObject update = new JsonObject().put("$set", new JsonObject().put("status", RELEASED)
        .put("updatedAt", Timestamps.now()));
    return mongo.findOneAndUpdate(COLLECTION, new JsonObject().put("_id", orderId), update)
        .map(before -> before != null && CONFIRMED.equals(before.getString("status")));
  }

  /**
   * The attempt whose holds a record accounts for. Records written before attempts existed have none: a name derived
   * from the order id stands in (hex, so it is a valid field name whatever the order id).
   */
  static String attemptOf(JsonObject record) {
    String attempt = record.getString("attempt");
    if (attempt != null) {
      return attempt;
    }
    StringBuilder hex = new StringBuilder("legacy");
    for (byte b : record.getString("_id").getBytes(StandardCharsets.UTF_8)) {
      hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return hex.toString();
  }

  /** One unordered bulk insert; a duplicate id fails only its own record (false), not the batch. */
  private Future<List<Boolean>> insertBatch(List<JsonObject> records) {
    List<BulkOperation> operations = records.stream().map(BulkOperation::createInsert).toList();
    return mongo.bulkWriteWithOptions(COLLECTION, operations, new BulkWriteOptions(false))
        .map(result -> records.stream().map(r -> true).toList())
        .recover(failure -> duplicatesOnly(failure, records.size()));
  }

  private static Future<List<Boolean>> duplicatesOnly(Throwable failure, int size) {
    MongoBulkWriteException bulk = bulkFailure(failure);
    if (bulk == null || bulk.getWriteConcernError() != null) {
      return Future.failedFuture(failure);
    }
    List<Boolean> inserted = new ArrayList<>(Collections.nCopies(size, true));
    for (BulkWriteError error : bulk.getWriteErrors()) {
      if (error.getCode() != DUPLICATE_KEY) {
        // An insert failed for another reason: its outcome is an error, and nothing here can tell the others apart
        // from it safely, so the whole batch fails (callers then treat the outcome as unknown).
        return Future.failedFuture(failure);
      }
      inserted.set(error.getIndex(), false);
    }
    return Future.succeededFuture(inserted);
  }

  private static MongoBulkWriteException bulkFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MongoBulkWriteException bulk) {
        return bulk;
      }
    }
    return null;
  }
}
