package com.reactiveshop.product;

import com.reactiveshop.common.async.PeriodicTask;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recovery of stock holds that outlived their attempt: a product-service process died between taking and recording,
 * a settle or give-back failed, or an attempt stalled for longer than {@link #GRACE_MS}. Every few seconds it reads
 * the holds of the catalog and, for each one older than the grace time, follows the order's record:
 * <ul>
 *   <li>CONFIRMED by this attempt (or RELEASED after being confirmed by it): the record accounts for the units, the
 *   hold is only dropped;</li>
 *   <li>any other record (another attempt won, or the order was released): the units go back;</li>
 *   <li>no record: a RELEASED tombstone is inserted first, so the attempt, if it is merely slow, loses its insert and
 *   can never confirm units that were given back; then the units go back.</li>
 * </ul>
 * Every step is guarded (a give-back only while the hold is there), so several sweepers (instances, processes) and the
 * attempts themselves may race freely. {@code freed} markers of released reservations are dropped after
 * {@link #FREED_RETENTION_MS}.
 */
final class HoldSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(HoldSweeper.class);
  static final long INTERVAL_MS = 5_000;
  /** Far beyond the time an attempt takes (each store call is bounded by the driver's 10 s socket timeout). */
  static final long GRACE_MS = 15_000;
  /** A release that read CONFIRMED and then stalled for this long could give back twice; none stalls so long. */
  static final long FREED_RETENTION_MS = 10 * 60_000;

  private final Vertx vertx;
  private final MongoClient mongo;
  private final ReservationRecords records;
  private final StockLedger stock;
  private PeriodicTask task;

  HoldSweeper(Vertx vertx, MongoClient mongo, ReservationRecords records, StockLedger stock) {
    this.vertx = vertx;
    this.mongo = mongo;
    this.records = records;
    this.stock = stock;
  }

  /** Call on the verticle's context: sweeps run there. */
  void start() {
    task = PeriodicTask.every(vertx, INTERVAL_MS, "Stock hold sweep", () -> sweep(System.currentTimeMillis()));
  }

  /** Completes when a sweep in progress is done. */
  Future<Void> stop() {
    return task == null ? Future.succeededFuture() : task.stop();
  }

  /** One pass over the catalog's holds older than the grace time at {@code now}; the number of holds resolved. */
  Future<Integer> sweep(long now) {
    FindOptions fields = new FindOptions().setFields(new JsonObject().put("holds", 1).put("freed", 1));
    return mongo.findWithOptions(ProductStore.COLLECTION, new JsonObject(), fields).compose(products -> {
      List<Future<Boolean>> resolved = new ArrayList<>();
      for (JsonObject product : products) {
        String productId = product.getString("_id");
        JsonObject holds = product.getJsonObject("holds", new JsonObject());
        for (String attempt : holds.fieldNames()) {
          JsonObject hold = holds.getJsonObject(attempt);
          if (now - hold.getLong("at", 0L) > GRACE_MS) {
            resolved.add(resolve(productId, attempt, hold.getString("o"), hold.getLong("q")));
          }
        }
        JsonObject expired = new JsonObject();
        product.getJsonObject("freed", new JsonObject()).forEach(freed -> {
          if (freed.getValue() instanceof Number at && now - at.longValue() > FREED_RETENTION_MS) {
            expired.put(StockLedger.freedField(freed.getKey()), "");
          }
        });
        if (!expired.isEmpty()) {
          resolved.add(stock.dropFields(Set.of(productId), expired).map(false));
        }
      }
      return Future.join(resolved).transform(done ->
          Future.succeededFuture((int) resolved.stream().filter(f -> f.succeeded() && f.result()).count()));
    });
  }

  private Future<Boolean> resolve(String productId, String attempt, String orderId, long quantity) {
    return records.find(orderId).compose(found -> {
      if (found.isEmpty()) {
        return records.insert(ReservationRecords.tombstone(orderId)).compose(inserted -> inserted
            ? giveBack(productId, attempt, orderId, quantity)
            : Future.succeededFuture(false));
      }
      if (attempt.equals(ReservationRecords.attemptOf(found.get()))) {
        return stock.dropFields(Set.of(productId), new JsonObject().put(StockLedger.holdField(attempt), ""))
            .map(true);
      }
      return giveBack(productId, attempt, orderId, quantity);
    });
  }

  private Future<Boolean> giveBack(String productId, String attempt, String orderId, long quantity) {
    return stock.giveBack(productId, attempt, quantity).onSuccess(given -> {
      if (given) {
        LOG.info("Gave back {} unit(s) of product {} held by an unfinished reservation attempt for order {}",
            quantity, productId, orderId);
      }
    });
  }
}
