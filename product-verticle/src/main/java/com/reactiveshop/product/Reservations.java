package com.reactiveshop.product;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.ids.RandomUuids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static com.reactiveshop.product.ReservationRecords.CONFIRMED;

/**
 * All-or-nothing stock reservation per order id: idempotent, safe across instances and crashes, and cheap: a
 * successful reserve costs a share of the batched store commands of its flush (one bulk take with one read alongside
 * for every take of the flush, one insert of records; the settle rides on a later take), well under one MongoDB
 * command per order under load.
 *
 * <p>How it holds together:
 * <ol>
 *   <li>Every reserve is a new <em>attempt</em> with its own id. It takes every item at once; each take leaves a hold
 *   on the product naming the attempt and the order, in the same update ({@link StockLedger}).</li>
 *   <li>If all were taken, the attempt inserts the order's CONFIRMED record ({@link ReservationRecords}). That insert
 *   is the decision: if the order id already has a record (a duplicate attempt confirmed first, or a release left a
 *   tombstone), the attempt gives its own holds back and answers from that record. Then its holds are settled
 *   (dropped, off the answer path).</li>
 *   <li>If something was short or unknown, the attempt gives back what it took; before refusing it looks at the
 *   record, so a repeated reserve of a confirmed order answers the same as the first even when stock ran out since.</li>
 *   <li>A release gives back a CONFIRMED record's units once (guarded per product), then marks it RELEASED; a release
 *   of an order id with no record inserts a RELEASED tombstone, so an attempt still in flight for it loses its insert
 *   and gives back.</li>
 *   <li>Holds left by an attempt that died (or whose give-back failed) are found by {@link HoldSweeper}, which
 *   settles or gives them back according to the record, inserting a tombstone first where there is none.</li>
 * </ol>
 * No leases, no status compare-and-set: holds are given back at most once, and the record insert decides races.
 */
final class Reservations {

  private final ReservationRecords records;
  private final StockLedger stock;
  /** The last request per order id on this instance; touched only on the owning verticle's event loop. */
  private final Map<String, Future<?>> latest = new HashMap<>();

  Reservations(ReservationRecords records, StockLedger stock) {
    this.records = records;
    this.stock = stock;
  }

  /**
   * Requests for one order id that reach this instance run one after the other: a duplicate then finds the record
   * the first one wrote and answers from it, instead of taking stock in parallel only to give it back (and, with
   * little stock left, being refused meanwhile). Duplicates on other instances stay correct; they just take and give
   * back.
   */
  private <T> Future<T> inTurn(String orderId, Supplier<Future<T>> work) {
    Future<?> previous = latest.get(orderId);
    Future<T> result = previous == null ? work.get() : previous.transform(ignored -> work.get());
    latest.put(orderId, result);
    result.onComplete(ar -> latest.remove(orderId, result));
    return result;
  }

  Future<JsonObject> reserve(ReservationRequest request) {
    String orderId = request.orderId();
    boolean duplicate = latest.containsKey(orderId);
    return inTurn(orderId, () -> duplicate
        ? records.find(orderId).compose(found -> answerExisting(found).orElseGet(() -> attempt(request)))
        : attempt(request));
  }

  private Future<JsonObject> attempt(ReservationRequest request) {
    String orderId = request.orderId();
    String attempt = RandomUuids.next().toString().replace("-", "");
    List<ReservationRequest.Item> items = request.items();
    List<Future<StockLedger.Take>> takes = items.stream()
        .map(item -> stock.take(item.productId(), new StockLedger.Hold(attempt, orderId, item.quantity()))).toList();
    // join, not all: every take has landed (or failed) before anything is given back.
    return Future.join(takes).transform(done -> {
      if (takes.stream().allMatch(t -> t.succeeded() && t.result() instanceof StockLedger.Taken)) {
        return confirm(orderId, attempt, items, takes);
      }
      Future<Void> givenBack = giveBackTaken(attempt, items, takes);
      Optional<Throwable> storeFailure = takes.stream().filter(Future::failed).map(Future::cause).findFirst();
      if (storeFailure.isPresent()) {
        // Takes whose outcome is unknown keep their holds for the sweeper; what is known taken went back.
        return givenBack.transform(ignored -> Future.failedFuture(storeFailure.get()));
      }
      List<StockLedger.Take> outcomes = takes.stream().map(Future::result).toList();
      return givenBack.compose(v -> records.find(orderId))
          .compose(found -> answerExisting(found).orElseGet(() -> Future.failedFuture(refusal(items, outcomes))));
    });
  }

  /** Every item is taken: the CONFIRMED insert decides whether this attempt is the order's reservation. */
  private Future<JsonObject> confirm(String orderId, String attempt, List<ReservationRequest.Item> items,
                                     List<Future<StockLedger.Take>> takes) {
    JsonArray lines = new JsonArray();
    long total = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonObject product = ((StockLedger.Taken) takes.get(i).result()).product();
      long price = product.getLong("priceCents");
      total += price * items.get(i).quantity();
      lines.add(new JsonObject().put("productId", items.get(i).productId()).put("name", product.getString("name"))
          .put("quantity", items.get(i).quantity()).put("priceCents", price));
    }
    JsonObject record = ReservationRecords.confirmed(orderId, attempt, lines, total);
    List<String> productIds = items.stream().map(ReservationRequest.Item::productId).toList();
    return records.insert(record).transform(inserted -> {
      if (inserted.succeeded() && inserted.result()) {
        stock.settle(attempt, productIds);
        return Future.succeededFuture(answer(record));
      }
      if (inserted.succeeded()) {
        // Another attempt, or a release, wrote this order id's record first: ours is not needed.
        return giveBackTaken(attempt, items, takes).compose(v -> records.find(orderId))
            .compose(found -> answerExisting(found).orElseGet(() -> Future.failedFuture(released())));
      }
      // The insert's outcome is unknown. If the record says it is ours, it landed; otherwise the holds stay for the
      // sweeper, which settles them if the insert lands after all, or fences it off with a tombstone and gives back.
      return records.find(orderId).transform(found -> {
        if (found.succeeded() && found.result().isPresent()
            && attempt.equals(found.result().get().getString("attempt"))) {
          stock.settle(attempt, productIds);
          return Future.succeededFuture(answer(found.result().get()));
        }
        return Future.failedFuture(inserted.cause());
      });
    });
  }

  /** The answer a record already gives: its reservation, or {@code reservation_released}; empty without one. */
  private static Optional<Future<JsonObject>> answerExisting(Optional<JsonObject> found) {
    return found.map(record -> CONFIRMED.equals(record.getString("status"))
        ? Future.succeededFuture(answer(record)) : Future.failedFuture(released()));
  }

  Future<JsonObject> release(String orderId) {
    return inTurn(orderId, () -> giveBackReservation(orderId)).map(released -> new JsonObject().put("orderId", orderId)
        .put("released", released));
  }

  /** True when this call released a confirmed reservation (its units are back). */
  private Future<Boolean> giveBackReservation(String orderId) {
    return records.find(orderId).compose(found -> {
      if (found.isEmpty()) {
        // Released before (or without) being reserved: the tombstone makes an attempt still in flight lose its
        // insert and give back, and a late reserve take nothing. If a record appeared meanwhile, act on it.
        return records.insert(ReservationRecords.tombstone(orderId))
            .compose(inserted -> inserted ? Future.succeededFuture(false) : giveBackReservation(orderId));
      }
      JsonObject record = found.get();
      if (!CONFIRMED.equals(record.getString("status"))) {
        return Future.succeededFuture(false);
      }
      String attempt = ReservationRecords.attemptOf(record);
      List<Future<Boolean>> gives = new ArrayList<>();
      JsonArray lines = record.getJsonArray("items", new JsonArray());
      for (int i = 0; i < lines.size(); i++) {
        JsonObject line = lines.getJsonObject(i);
        gives.add(stock.giveBackConfirmed(line.getString("productId"), attempt, line.getLong("quantity")));
      }
      return Future.all(gives).compose(all -> records.markReleased(orderId));
    });
  }

  /** Gives back what this attempt is known to have taken (each give-back at most once, guarded by its hold). */
  private Future<Void> giveBackTaken(String attempt, List<ReservationRequest.Item> items,
                                     List<Future<StockLedger.Take>> takes) {
    List<Future<Boolean>> gives = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (takes.get(i).succeeded() && takes.get(i).result() instanceof StockLedger.Taken) {
        gives.add(stock.giveBack(items.get(i).productId(), attempt, items.get(i).quantity()));
      }
    }
    // A give-back that fails leaves its hold for the sweeper: the answer does not wait for a retry.
    return Future.join(gives).otherwiseEmpty().mapEmpty();
  }

  /** 404 naming every unknown product if there is one; else 409 with one entry per short product. */
  private static ApiError refusal(List<ReservationRequest.Item> items, List<StockLedger.Take> outcomes) {
    JsonArray missing = new JsonArray();
    JsonArray shortItems = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      ReservationRequest.Item item = items.get(i);
      if (outcomes.get(i) instanceof StockLedger.Missing) {
        missing.add(new JsonObject().put("productId", item.productId()));
      } else if (outcomes.get(i) instanceof StockLedger.Short s) {
        shortItems.add(new JsonObject().put("productId", item.productId()).put("requested", item.quantity())
            .put("available", s.available()));
      }
    }
    if (!missing.isEmpty()) {
      return new ApiError(404, "product_not_found", "No product has this id.", missing, Map.of());
    }
    return new ApiError(409, "insufficient_stock", "Not enough stock for every item.", shortItems, Map.of());
  }

  private static ApiError released() {
    return new ApiError(409, "reservation_released",
        "This order id has been released; it cannot reserve stock any more.");
  }

  private static JsonObject answer(JsonObject record) {
    return new JsonObject().put("orderId", record.getString("_id")).put("items", record.getJsonArray("items"))
        .put("totalCents", record.getLong("totalCents"));
  }
}
