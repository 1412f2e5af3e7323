package com.reactiveshop.product;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.mongo.MongoStores;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One worker at a time per order id, across every instance of the service: a lease in the MongoDB collection
 * {@code reservation_locks}, {@code {_id: orderId, owner, until}}. Taking it is an insert (the unique {@code _id}
 * makes exactly one inserter win); a lease whose holder died is taken over once it has expired; the holder deletes it
 * when done. The collection only holds leases in use, so the filters on {@code owner}/{@code until} (which the embedded
 * server answers by a scan) stay cheap. Instances' clocks are assumed to agree to within a few seconds.
 */
final class ReservationLocks {

  static final String COLLECTION = "reservation_locks";
  /**
   * Far longer than a reservation takes when MongoDB answers (a handful of calls of milliseconds each). It is not
   * renewed: a worker stalled past it (each database call may wait up to its 10 s socket timeout) can overlap with
   * the next holder. The per-product markers still keep every take and give-back to at most once; only the
   * record's status could then end up stale.
   */
  private static final long LEASE_MS = 30_000;
  /** How long a request waits for another instance's lease on the same order before it is told to retry. */
  private static final long WAIT_MS = 5_000;
  private static final long FIRST_PAUSE_MS = 10;
  private static final long MAX_PAUSE_MS = 50;

  private final Vertx vertx;
  private final MongoClient mongo;
  /** The last request queued per order id on this instance; touched only on the owning verticle's event loop. */
  private final Map<String, Future<Void>> queued = new HashMap<>();

  ReservationLocks(Vertx vertx, MongoClient mongo) {
    this.vertx = vertx;
    this.mongo = mongo;
  }

  /**
   * Runs {@code work} holding the order's lease, and lets the lease go however the work ends. Requests for the same
   * order id that reach this instance queue up here first (in order, without polling the database); only duplicates
   * handled by other instances compete for the lease.
   */
  <T> Future<T> withLock(String orderId, Supplier<Future<T>> work) {
    Future<Void> previous = queued.getOrDefault(orderId, Future.succeededFuture());
    Promise<Void> done = Promise.promise();
    queued.put(orderId, done.future());
    String owner = UUID.randomUUID().toString();
    return previous
        .transform(ignored -> acquire(orderId, owner, System.currentTimeMillis() + WAIT_MS, FIRST_PAUSE_MS))
        .compose(locked -> run(work).eventually(() -> release(orderId, owner)))
        .onComplete(ar -> {
          done.complete();
          queued.remove(orderId, done.future());
        });
  }

  private static <T> Future<T> run(Supplier<Future<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Void> acquire(String orderId, String owner, long giveUpAt, long pause) {
    long now = System.currentTimeMillis();
    JsonObject lease = new JsonObject().put("_id", orderId).put("owner", owner).put("until", now + LEASE_MS);
    return mongo.insert(COLLECTION, lease).<Boolean>map(id -> true)
        .recover(failure -> MongoStores.isDuplicateKey(failure) ? takeOverExpired(orderId, lease, now)
            : Future.failedFuture(failure))
        .compose(acquired -> {
          if (acquired) {
            return Future.succeededFuture();
          }
          if (System.currentTimeMillis() >= giveUpAt) {
            return Future.failedFuture(new ApiError(409, "request_in_progress",
                "Another request for this order id is still being handled; try again shortly."));
          }
          return vertx.timer(pause).compose(t -> acquire(orderId, owner, giveUpAt, Math.min(pause * 2, MAX_PAUSE_MS)));
        });
  }

  /** A lease still held by someone whose time ran out (a crashed instance) is taken over, atomically. */
  private Future<Boolean> takeOverExpired(String orderId, JsonObject lease, long now) {
    JsonObject expired = new JsonObject().put("_id", orderId).put("until", new JsonObject().put("$lt", now));
    JsonObject update = new JsonObject().put("$set", new JsonObject()
        .put("owner", lease.getString("owner")).put("until", lease.getLong("until")));
    return mongo.findOneAndUpdate(COLLECTION, expired, update).map(previous -> previous != null);
  }

  /** Deletes the lease only if it is still ours (after an expiry, someone else may hold it). */
  private Future<Void> release(String orderId, String owner) {
    return mongo.removeDocument(COLLECTION, new JsonObject().put("_id", orderId).put("owner", owner)).mapEmpty();
  }
}
