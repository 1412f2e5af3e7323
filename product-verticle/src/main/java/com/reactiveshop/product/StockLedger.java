package com.reactiveshop.product;

import com.reactiveshop.common.async.BatchMetrics;
import com.reactiveshop.common.async.GroupCommit;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stock moves on the {@code products} collection, made for reservations. Every unit taken for a reservation attempt is
 * recorded on the product itself, in the same single-document update that takes it: a hold
 * {@code holds.<attempt>: {o: orderId, q: quantity, at: epochMillis}}. So whether an attempt's units are out of stock
 * can always be read back from the product, after a crash between any two steps. A hold is dropped when its attempt
 * is settled (its CONFIRMED record now accounts for the units) or given back (at most once: the give-back is
 * conditional on the hold being there and removes it in the same update).
 *
 * <p><b>Group commit.</b> While one batch of takes is in flight, further takes queue on this instance; the queue is
 * then written as one bulk write holding ONE conditional decrement per product (the summed quantity, with all its
 * holds), with one read of those products sent alongside ({@link TakeFlush}). If a product's sum does not fit, the
 * takes that fit are chosen in arrival order (first fit: each take that still fits is taken, the others are refused,
 * so every refusal asks for more than what is finally left) and written as one conditional decrement again. The
 * condition {@code stock >= sum} is checked by the database, so any number of instances can never drive stock below
 * zero; they only coalesce less.
 *
 * <p>Giving back the units of a CONFIRMED reservation (a release) is guarded by a {@code freed.<attempt>} marker
 * instead, set in the same update: a release repeated or racing on another instance gives back once.
 *
 * <p><b>Cache.</b> A flush of takes puts into the cache each product as read after it (or drops it); a give-back drops
 * the entry (its update returns no document). Dropping holds or markers changes nothing a client sees.
 *
 * <p><b>Settled holds</b> ride on the next flush of takes for the same product ({@link SettledHolds}): a product
 * document is rewritten once per flush, not once more per confirmed attempt.
 *
 * <p>Filters here are an {@code _id} equality plus conditions: the {@code _id} index serves them, on MongoDB and on
 * the embedded server alike.
 */
final class StockLedger {

  /** One attempt's claim on units of one product. */
  record Hold(String attempt, String orderId, long quantity) {
  }

  /** What happened to one take. */
  sealed interface Take permits Taken, Short, Missing {
  }

  /**
   * The units are held for the attempt; {@code product} is the product as read with the take, for its name and price
   * (its stock may be from just before the take).
   */
  record Taken(JsonObject product) implements Take {
  }

  /** Not enough stock; {@code available} is what is left. */
  record Short(long available) implements Take {
  }

  record Missing() implements Take {
  }

  /** One flush carries at most this many takes (a batch beyond it waits for the next flush). */
  private static final int MAX_BATCH = 500;

  private final MongoClient mongo;
  private final CachedDocuments cache;
  private final GroupCommit<Request, Take> takes;
  private final SettledHolds settled;

  record Request(String productId, Hold hold) {
  }

  StockLedger(Vertx vertx, MongoClient mongo, CachedDocuments cache) {
    this(vertx, mongo, cache, SettledHolds.FALLBACK_MS);
  }

  /** {@code settleFallbackMs}: how long settled holds wait for a take to carry them before being written alone. */
  StockLedger(Vertx vertx, MongoClient mongo, CachedDocuments cache, long settleFallbackMs) {
    this.mongo = mongo;
    this.cache = cache;
    this.settled = new SettledHolds(vertx, settleFallbackMs, this::dropSettled);
    this.takes = new GroupCommit<>(requests -> new TakeFlush(mongo, cache, settled, requests).write(), MAX_BATCH,
        BatchMetrics.of("mongodb", "stock_take"));
  }

  /** Takes {@code hold.quantity()} units of the product for the hold's attempt, or says why not. */
  Future<Take> take(String productId, Hold hold) {
    if (!ProductIds.isWellFormed(productId)) {
      return Future.succeededFuture(new Missing());
    }
    return takes.submit(new Request(productId, hold));
  }

  /**
   * Gives back the units of an attempt that did not become the order's reservation, if its hold is still there (the
   * hold goes in the same update, so this happens at most once). True when units went back.
   */
  Future<Boolean> giveBack(String productId, String attempt, long quantity) {
    JsonObject filter = ProductStore.byId(productId)
        .put(holdField(attempt), new JsonObject().put("$exists", true));
    JsonObject update = new JsonObject().put("$inc", new JsonObject().put("stock", quantity))
        .put("$unset", new JsonObject().put(holdField(attempt), ""));
    return changing(productId, mongo.updateCollection(ProductStore.COLLECTION, filter, update)
        .map(result -> result != null && result.getDocModified() > 0));
  }

  /** Drops the cached product (here and elsewhere) once units went back, or the outcome is unknown. */
  private Future<Boolean> changing(String productId, Future<Boolean> given) {
    return given.andThen(ar -> {
      if (ar.failed() || ar.result()) {
        cache.changed(productId);
      }
    });
  }

  /**
   * Gives back the units of a CONFIRMED reservation made by {@code attempt}, once: the {@code freed} marker set in the
   * same update stops a repeat. Its hold, if not settled yet, goes too. True when units went back.
   */
  Future<Boolean> giveBackConfirmed(String productId, String attempt, long quantity) {
    if (!ProductIds.isWellFormed(productId)) {
      return Future.succeededFuture(false);
    }
    JsonObject filter = ProductStore.byId(productId)
        .put(freedField(attempt), new JsonObject().put("$exists", false));
    JsonObject update = new JsonObject().put("$inc", new JsonObject().put("stock", quantity))
        .put("$set", new JsonObject().put(freedField(attempt), System.currentTimeMillis()))
        .put("$unset", new JsonObject().put(holdField(attempt), ""));
    return changing(productId, mongo.updateCollection(ProductStore.COLLECTION, filter, update)
        .map(result -> result != null && result.getDocModified() > 0));
  }

  /**
   * Drops the holds of a confirmed attempt (its record now accounts for the units): off the answer path, and carried
   * by the next write of takes on each product ({@link SettledHolds}). One that is never written is left to
   * {@link HoldSweeper}.
   */
  void settle(String attempt, List<String> productIds) {
    settled.add(attempt, productIds);
  }

  /** Writes the settled holds no take has carried yet (at stop). */
  Future<?> flushSettled() {
    return settled.flush();
  }

  /**
   * One bulk write with one update per product that unsets only that product's settled holds (an update naming
   * fields a document does not have still costs the server a path lookup per field and document).
   */
  private Future<Void> dropSettled(Map<String, JsonObject> unsetByProduct) {
    List<BulkOperation> updates = new ArrayList<>();
    unsetByProduct.forEach((productId, unset) -> updates.add(
        BulkOperation.createUpdate(ProductStore.byId(productId), new JsonObject().put("$unset", unset))));
    return mongo.bulkWriteWithOptions(ProductStore.COLLECTION, updates, new BulkWriteOptions(false)).mapEmpty();
  }

  /** Unsets {@code fields} (each {@code holds.x} or {@code freed.x}) on the given products, in one update. */
  Future<Void> dropFields(Set<String> productIds, JsonObject fields) {
    JsonObject filter = new JsonObject()
        .put("_id", new JsonObject().put("$in", new JsonArray(List.copyOf(productIds))));
    return mongo.updateCollectionWithOptions(ProductStore.COLLECTION, filter, new JsonObject().put("$unset", fields),
        new UpdateOptions().setMulti(true)).mapEmpty();
  }

  static String holdField(String attempt) {
    return "holds." + attempt;
  }

  static String freedField(String attempt) {
    return "freed." + attempt;
  }
}
