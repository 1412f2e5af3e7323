package com.reactiveshop.product;

import com.reactiveshop.common.http.ApiError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.reactiveshop.product.ReservationStore.CONFIRMED;
import static com.reactiveshop.product.ReservationStore.FAILED;
import static com.reactiveshop.product.ReservationStore.PENDING;
import static com.reactiveshop.product.ReservationStore.RELEASED;
import static com.reactiveshop.product.ReservationStore.RELEASING;

/**
 * All-or-nothing stock reservation per order id, idempotent, safe across instances and crashes.
 *
 * <p>How it holds together:
 * <ul>
 *   <li>Every reserve or release of one order id runs holding that order's lease ({@link ReservationLocks}), so at
 *   most one worker moves that order's stock at a time; a duplicate waits for the first and then answers from the
 *   record it left.</li>
 *   <li>The intent (record PENDING with the items) is written before any stock is taken.</li>
 *   <li>Which units an unsettled order holds is written on the product itself, in the same atomic update that moves
 *   the stock (the {@code pending} marker, see {@link StockMoves}). So there is no moment at which stock is taken but
 *   nothing says so, and every give-back is guarded by the marker, so it happens at most once.</li>
 *   <li>Markers are dropped ({@code settle}) only after CONFIRMED is recorded; the record then says what is
 *   held.</li>
 * </ul>
 *
 * <p>A half-finished reservation (a worker died, its lease expired) is found by the next request for the same
 * order id: a repeated reserve of a PENDING record resumes it, taking the items not yet marked and confirming, or
 * undoing everything if one is now short; a release of a PENDING record gives back exactly the items whose markers
 * are present. A release that died half-way (RELEASING) is finished by the next release. A crash between CONFIRMED
 * and settling leaves markers that only make the later release's re-marking a no-op.
 */
final class Reservations {

  private final ReservationLocks locks;
  private final ReservationStore store;
  private final StockMoves stock;

  Reservations(ReservationLocks locks, ReservationStore store, StockMoves stock) {
    this.locks = locks;
    this.store = store;
    this.stock = stock;
  }

  Future<JsonObject> reserve(ReservationRequest request) {
    String orderId = request.orderId();
    // Nearly every reserve is for a new order id: recording the intent is tried first, as an insert, which fails
    // only if a record exists; that saves reading the record first. Under the lease nobody else writes it meanwhile.
    return locks.withLock(orderId, () -> store.beginNew(orderId, request.itemsJson()).compose(created -> created
        .map(this::takeAll)
        .orElseGet(() -> store.find(orderId).compose(found -> resume(request, found)))));
  }

  /** A record exists (or existed) for this order id: act on what it says. */
  private Future<JsonObject> resume(ReservationRequest request, Optional<JsonObject> found) {
    String orderId = request.orderId();
    String status = found.map(r -> r.getString("status")).orElse(FAILED);
    return switch (status) {
      // The previous attempt failed and took nothing: try again with this request's items.
      case FAILED -> store.begin(orderId, request.itemsJson()).compose(this::takeAll);
      // A worker died half-way: finish (or undo) what its record asked for.
      case PENDING -> takeAll(found.get());
      case CONFIRMED -> Future.succeededFuture(answer(found.get()));
      default -> Future.failedFuture(new ApiError(409, "reservation_released",
          "This order id has been released; it cannot reserve stock any more."));
    };
  }

  Future<JsonObject> release(String orderId) {
    return locks.withLock(orderId, () -> store.find(orderId).compose(found -> {
      if (found.isEmpty()) {
        // Released before (or without) being reserved: a reserve arriving late must not take stock now.
        return store.tombstone(orderId).map(false);
      }
      List<ReservationRequest.Item> items = items(found.get());
      Future<Boolean> givenBack = switch (found.get().getString("status")) {
        // Half-finished reserve or release: the markers say exactly what is still held.
        case PENDING, RELEASING -> giveBackAll(orderId, items);
        // Settled: mark every item held again (idempotent), record RELEASING, then give back under the markers.
        case CONFIRMED -> Future.all(items.stream().map(i -> stock.markHeld(orderId, i.productId())).toList())
            .compose(marked -> store.status(orderId, RELEASING))
            .compose(releasing -> giveBackAll(orderId, items));
        // FAILED holds nothing; RELEASED gave everything back already.
        default -> Future.succeededFuture(false);
      };
      return givenBack.compose(released -> store.status(orderId, RELEASED).map(released));
    })).map(released -> new JsonObject().put("orderId", orderId).put("released", released));
  }

  /**
   * Takes every item at once (independent single-document updates, so they run in parallel); if one cannot be
   * taken, {@link #undo} gives back whatever was. Each take is guarded by the order's marker, so parallel or repeated
   * takes still take each item at most once.
   */
  private Future<JsonObject> takeAll(JsonObject record) {
    String orderId = record.getString("_id");
    List<ReservationRequest.Item> items = items(record);
    List<Future<StockMoves.Take>> takes = items.stream()
        .map(item -> stock.take(orderId, item.productId(), item.quantity())).toList();
    // join, not all: every take has landed (or failed) before anything is given back.
    return Future.join(takes).compose(done -> {
      List<StockMoves.Take> outcomes = takes.stream().map(Future::result).toList();
      return outcomes.stream().allMatch(t -> t instanceof StockMoves.Taken)
          ? confirm(orderId, items, outcomes) : undo(orderId, items, outcomes);
    }).recover(failure -> failure instanceof ApiError ? Future.failedFuture(failure)
        : giveBackUnlessConfirmed(orderId, items).transform(ignored -> Future.failedFuture(failure)));
  }

  /**
   * The store failed half-way. While the record still says PENDING, what is held is given back now, so a caller
   * that treats the error as "nothing reserved" is right. If the CONFIRMED write landed after all (the failure was
   * only in its answer), giving back here would let the caller's release give the same units back a second time:
   * that release does it, once. If the record cannot be read, it stays as it is for a retry or release to finish.
   */
  private Future<Boolean> giveBackUnlessConfirmed(String orderId, List<ReservationRequest.Item> items) {
    return store.find(orderId).compose(found -> found.isPresent() && PENDING.equals(found.get().getString("status"))
        ? giveBackAll(orderId, items) : Future.succeededFuture(false));
  }

  /** Records CONFIRMED first, then drops the markers: in this order, no crash can lose track of held stock. */
  private Future<JsonObject> confirm(String orderId, List<ReservationRequest.Item> items,
                                     List<StockMoves.Take> takes) {
    JsonArray lines = new JsonArray();
    long total = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonObject product = ((StockMoves.Taken) takes.get(i)).product();
      long price = product.getLong("priceCents");
      total += price * items.get(i).quantity();
      lines.add(new JsonObject().put("productId", items.get(i).productId()).put("name", product.getString("name"))
          .put("quantity", items.get(i).quantity()).put("priceCents", price));
    }
    JsonObject record = new JsonObject().put("_id", orderId).put("items", lines).put("totalCents", total);
    return store.confirm(orderId, lines, total)
        .compose(confirmed -> Future.join(items.stream().map(i -> stock.settle(orderId, i.productId())).toList())
            .otherwiseEmpty())
        .map(settled -> answer(record));
  }

  /**
   * Some item could not be taken (every item was tried, so the answer names every short or unknown product): every
   * marker of this order is given back and FAILED is recorded.
   */
  private Future<JsonObject> undo(String orderId, List<ReservationRequest.Item> items,
                                  List<StockMoves.Take> outcomes) {
    ApiError error = failure(items, outcomes);
    return giveBackAll(orderId, items)
        .compose(givenBack -> store.fail(orderId, error.toJson()))
        .compose(failed -> Future.failedFuture(error));
  }

  /** 404 naming every unknown product if there is one; else 409 with one entry per short product. */
  private static ApiError failure(List<ReservationRequest.Item> items, List<StockMoves.Take> outcomes) {
    JsonArray missing = new JsonArray();
    JsonArray shortItems = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      ReservationRequest.Item item = items.get(i);
      if (outcomes.get(i) instanceof StockMoves.Missing) {
        missing.add(new JsonObject().put("productId", item.productId()));
      } else if (outcomes.get(i) instanceof StockMoves.Short s) {
        shortItems.add(new JsonObject().put("productId", item.productId()).put("requested", item.quantity())
            .put("available", s.available()));
      }
    }
    if (!missing.isEmpty()) {
      return new ApiError(404, "product_not_found", "No product has this id.", missing, Map.of());
    }
    return new ApiError(409, "insufficient_stock", "Not enough stock for every item.", shortItems, Map.of());
  }

  /** Gives back every item this order holds (its marker is present); true when any units went back. */
  private Future<Boolean> giveBackAll(String orderId, List<ReservationRequest.Item> items) {
    List<Future<Boolean>> gives = items.stream()
        .map(item -> stock.giveBack(orderId, item.productId(), item.quantity())).toList();
    return Future.all(gives).map(all -> gives.stream().anyMatch(Future::result));
  }

  private static List<ReservationRequest.Item> items(JsonObject record) {
    JsonArray items = record.getJsonArray("items", new JsonArray());
    List<ReservationRequest.Item> list = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      list.add(ReservationRequest.Item.fromJson(items.getJsonObject(i)));
    }
    return list;
  }

  private static JsonObject answer(JsonObject record) {
    return new JsonObject().put("orderId", record.getString("_id")).put("items", record.getJsonArray("items"))
        .put("totalCents", record.getLong("totalCents"));
  }
}
