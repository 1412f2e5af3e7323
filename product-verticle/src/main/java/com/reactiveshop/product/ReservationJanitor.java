package com.reactiveshop.product;

import com.reactiveshop.common.async.PeriodicTask;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes reservation records that no request needs any more, so {@code reservations} grows only with confirmed
 * reservations. What goes, and after how long:
 * <ul>
 *   <li>RELEASED records (released reservations and tombstones), and FAILED ones left by an older version (they hold
 *   nothing either): {@link #RETENTION} after {@code updatedAt}. A RELEASED record answers a repeated release
 *   ({@code released: false}, which an absent record answers too) and fences off a late reserve of the same order id
 *   ({@code reservation_released}). The order service reserves under an order id only while that id's request, or
 *   its Idempotency-Key claim, is alive: at most a day and a lease after the claim was created (see the order
 *   service's {@code OrderJanitor}); twice that is kept here.</li>
 *   <li>CONFIRMED records are never removed: an order can be cancelled at any time, and the release needs the record
 *   to know what to give back. Legacy PENDING and RELEASING records are left alone (they may still account for
 *   stock).</li>
 * </ul>
 * Holds and {@code freed} markers on products are {@link HoldSweeper}'s. Once per start, this also drops the empty
 * {@code pending} arrays an older version left on products.
 *
 * <p>On the embedded MongoDB-wire server a filter without an {@code _id} equality scans the whole collection, and every
 * command holds the collection's lock, so this runs rarely ({@link #INTERVAL_MS}): one find (status and age filter,
 * projected to {@code status} and {@code updatedAt}, at most {@link #MAX_PER_RUN} records), then deletes by
 * {@code _id $in} in batches of {@link #DELETE_BATCH}, each an index lookup, one after another. On a real MongoDB a
 * partial TTL index would do this by itself, but TTL needs a BSON date and {@code updatedAt} is an ISO string (the
 * API's format), so this janitor serves both.
 */
final class ReservationJanitor {

  /** Twice the order service's longest use of an order id (a day and a lease): see the class comment. */
  static final Duration RETENTION = Duration.ofHours(48);
  static final long INTERVAL_MS = 10 * 60_000;
  static final int MAX_PER_RUN = 10_000;
  static final int DELETE_BATCH = 500;
  /** Written by an older version for a reservation that failed: it holds nothing. */
  static final String LEGACY_FAILED = "FAILED";
  private static final Logger LOG = LoggerFactory.getLogger(ReservationJanitor.class);

  private final Vertx vertx;
  private final MongoClient mongo;
  private Future<?> legacyCleanup = Future.succeededFuture();
  private PeriodicTask task;

  ReservationJanitor(Vertx vertx, MongoClient mongo) {
    this.vertx = vertx;
    this.mongo = mongo;
  }

  /** Call on the verticle's context: the legacy cleanup starts now, the first removal pass after one interval. */
  void start() {
    legacyCleanup = dropEmptyLegacyPending()
        .onFailure(e -> LOG.warn("Could not drop legacy empty pending arrays: {}", e.toString()));
    task = PeriodicTask.every(vertx, INTERVAL_MS, "Reservation cleanup",
        () -> removeExpired(System.currentTimeMillis()));
  }

  /** Completes when a pass in progress is done (it stops after its current batch). */
  Future<Void> stop() {
    Future<Void> stopped = task == null ? Future.succeededFuture() : task.stop();
    return stopped.eventually(() -> legacyCleanup.transform(ar -> Future.succeededFuture()));
  }

  /** One pass: removes the RELEASED and FAILED records older than the retention at {@code now}; how many went. */
  Future<Integer> removeExpired(long now) {
    Instant cutoff = Instant.ofEpochMilli(now).minus(RETENTION);
    // The string comparison is ISO-8601 order except within one second (fractions are optional), so the filter only
    // narrows; the parsed time decides.
    JsonObject filter = new JsonObject()
        .put("status", new JsonObject().put("$in", new JsonArray().add(ReservationRecords.RELEASED).add(LEGACY_FAILED)))
        .put("updatedAt", new JsonObject().put("$lt", cutoff.plusSeconds(1).toString()));
    FindOptions options = new FindOptions().setFields(new JsonObject().put("status", 1).put("updatedAt", 1))
        .setLimit(MAX_PER_RUN);
    return mongo.findWithOptions(ReservationRecords.COLLECTION, filter, options).compose(found -> {
      List<Object> expired = new ArrayList<>();
      for (JsonObject record : found) {
        if (olderThan(record.getValue("updatedAt"), cutoff)) {
          expired.add(record.getValue("_id"));
        }
      }
      return deleteInBatches(expired, 0, 0);
    }).onSuccess(removed -> {
      if (removed > 0) {
        LOG.info("Removed {} released reservation record(s) older than {}", removed, RETENTION);
      }
    });
  }

  private static boolean olderThan(Object updatedAt, Instant cutoff) {
    if (!(updatedAt instanceof String text)) {
      return false;
    }
    try {
      return Instant.parse(text).isBefore(cutoff);
    } catch (DateTimeParseException e) {
      return false; // not ours to judge: kept
    }
  }

  /** Deletes {@code ids} {@link #DELETE_BATCH} at a time, one command after the other; the total removed. */
  private Future<Integer> deleteInBatches(List<Object> ids, int from, int removed) {
    if (from >= ids.size() || task != null && task.stopped()) {
      return Future.succeededFuture(removed);
    }
    List<Object> batch = ids.subList(from, Math.min(from + DELETE_BATCH, ids.size()));
    // By _id alone (an index lookup on the embedded server too): RELEASED is final, nothing turns a record back, and
    // FAILED is only ever followed by a new attempt in the version that wrote it, which no longer runs.
    JsonObject filter = new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(new ArrayList<>(batch))));
    return mongo.removeDocuments(ReservationRecords.COLLECTION, filter).compose(result ->
        deleteInBatches(ids, from + batch.size(), removed + (result == null ? 0 : (int) result.getRemovedCount())));
  }

  /**
   * Drops the {@code pending} field an older version kept on every product, where it is empty (a non-empty one is
   * left: it may still name a reservation in flight of that version). Once per start: nothing writes it any more.
   */
  Future<Long> dropEmptyLegacyPending() {
    JsonObject filter = new JsonObject().put("pending", new JsonObject().put("$size", 0));
    JsonObject update = new JsonObject().put("$unset", new JsonObject().put("pending", ""));
    UpdateOptions multi = new UpdateOptions().setMulti(true);
    return mongo.updateCollectionWithOptions(ProductStore.COLLECTION, filter, update, multi)
        .map(result -> result == null ? 0L : result.getDocModified())
        .onSuccess(dropped -> {
          if (dropped > 0) {
            LOG.info("Dropped the empty legacy 'pending' field from {} product(s)", dropped);
          }
        });
  }
}
