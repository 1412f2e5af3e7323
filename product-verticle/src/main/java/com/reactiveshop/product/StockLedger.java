package com.reactiveshop.product;

import com.reactiveshop.common.async.GroupCommit;
import com.reactiveshop.common.cache.DocumentCache;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
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
 * holds), followed by one read of those products. If a product's sum does not fit, the takes that fit are chosen in
 * arrival order (first fit: each take that still fits is taken, the others are refused, so every refusal asks for
 * more than what is finally left) and written as one conditional decrement again. The condition {@code stock >= sum} is checked by the database, so any
 * number of instances can never drive stock below zero; they only coalesce less.
 *
 * <p>Giving back the units of a CONFIRMED reservation (a release) is guarded by a {@code freed.<attempt>} marker
 * instead, set in the same update: a release repeated or racing on another instance gives back once.
 *
 * <p><b>Cache.</b> A flush of takes puts into the cache the last version of each product it read; a give-back drops the
 * entry (its update returns no document). Dropping holds or markers changes nothing a client sees.
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

  /** The units are held for the attempt; {@code product} is the document right after. */
  record Taken(JsonObject product) implements Take {
  }

  /** Not enough stock; {@code available} is what is left. */
  record Short(long available) implements Take {
  }

  record Missing() implements Take {
  }

  /** One flush carries at most this many takes (a batch beyond it waits for the next flush). */
  private static final int MAX_BATCH = 500;
  /** A conditional take that loses to another instance's write is re-read and retried this many times. */
  private static final int MAX_ROUNDS = 5;

  private final MongoClient mongo;
  private final CachedDocuments cache;
  private final GroupCommit<Request, Take> takes;
  private final SettledHolds settled;

  private record Request(String productId, Hold hold) {
  }

  StockLedger(Vertx vertx, MongoClient mongo, CachedDocuments cache) {
    this(vertx, mongo, cache, SettledHolds.FALLBACK_MS);
  }

  /** {@code settleFallbackMs}: how long settled holds wait for a take to carry them before being written alone. */
  StockLedger(Vertx vertx, MongoClient mongo, CachedDocuments cache, long settleFallbackMs) {
    this.mongo = mongo;
    this.cache = cache;
    this.takes = new GroupCommit<>(this::takeBatch, MAX_BATCH);
    this.settled = new SettledHolds(vertx, settleFallbackMs, this::dropSettled);
  }

  /** Takes {@code hold.quantity()} units of the product for the hold's attempt, or says why not. */
  Future<Take> take(String productId, Hold hold) {
    if (!ProductIds.isWellFormed(productId)) {
      return Future.succeededFuture(new Missing());
    }
    return takes.submit(new Request(productId, hold));
  }

  /**
   * Every take that arrived during the previous flush, in two commands whatever their number: one bulk write with a
   * conditional decrement per product (the sum of its takes, with all their holds), then one read of those products.
   * The read tells which decrements landed (their holds are there) and gives the names and prices for the answer; a
   * product whose sum did not fit goes through {@link #takeWhatFits}. Every product of the flush is put into the
   * cache as last seen (or dropped, if the flush failed).
   */
  private Future<List<Take>> takeBatch(List<Request> requests) {
    Map<String, List<Hold>> byProduct = new LinkedHashMap<>();
    for (Request request : requests) {
      byProduct.computeIfAbsent(request.productId(), id -> new ArrayList<>()).add(request.hold());
    }
    Map<String, DocumentCache.Write> writes = new HashMap<>();
    byProduct.keySet().forEach(productId -> writes.put(productId, cache.write(productId)));
    Map<String, JsonObject> lastSeen = new HashMap<>();
    Map<String, JsonObject> unsets = new HashMap<>();
    List<BulkOperation> decrements = new ArrayList<>();
    byProduct.forEach((productId, holds) -> {
      JsonObject unset = settled.claim(productId);
      if (unset != null) {
        unsets.put(productId, unset);
      }
      decrements.add(BulkOperation.createUpdate(takeFilter(productId, holds), takeUpdate(holds, unset)));
    });
    JsonObject filter = new JsonObject().put("_id", new JsonObject()
        .put("$in", new JsonArray(List.copyOf(byProduct.keySet()))));
    return mongo.bulkWriteWithOptions(ProductStore.COLLECTION, decrements, new BulkWriteOptions(false))
        .onFailure(failed -> unsets.forEach(settled::putBack))
        .compose(written -> mongo.find(ProductStore.COLLECTION, filter))
        .compose(found -> {
          found.forEach(product -> lastSeen.put(product.getString("_id"), product));
          // A decrement that did not fit carried its product's settled holds with it: they wait for the next write.
          unsets.forEach((productId, unset) -> {
            if (!landed(lastSeen.get(productId), byProduct.get(productId))) {
              settled.putBack(productId, unset);
            }
          });
          Map<String, Future<List<Take>>> outcomes = new LinkedHashMap<>();
          byProduct.forEach((productId, holds) ->
              outcomes.put(productId, outcomes(productId, holds, lastSeen.get(productId), lastSeen)));
          return Future.all(new ArrayList<>(outcomes.values())).map(all -> inRequestOrder(requests, outcomes));
        })
        .andThen(done -> writes.forEach((productId, write) -> {
          JsonObject product = done.succeeded() ? lastSeen.get(productId) : null;
          if (product != null) {
            write.written(Product.toApi(product));
          } else {
            write.dropped();
          }
        }));
  }

  private Future<List<Take>> outcomes(String productId, List<Hold> holds, JsonObject product,
                                      Map<String, JsonObject> lastSeen) {
    if (product == null) {
      return Future.succeededFuture(holds.stream().<Take>map(h -> new Missing()).toList());
    }
    if (landed(product, holds)) {
      return Future.succeededFuture(holds.stream().<Take>map(h -> new Taken(product)).toList());
    }
    return takeWhatFits(productId, holds, product, MAX_ROUNDS, lastSeen);
  }

  /** True when the flush's decrement of this product landed: its first hold is on the product as read back. */
  private static boolean landed(JsonObject product, List<Hold> holds) {
    return product != null && product.getJsonObject("holds", new JsonObject()).containsKey(holds.get(0).attempt());
  }

  private static List<Take> inRequestOrder(List<Request> requests, Map<String, Future<List<Take>>> outcomes) {
    Map<String, Integer> next = new HashMap<>();
    List<Take> ordered = new ArrayList<>(requests.size());
    for (Request request : requests) {
      int index = next.merge(request.productId(), 1, Integer::sum) - 1;
      ordered.add(outcomes.get(request.productId()).result().get(index));
    }
    return ordered;
  }

  /**
   * The sum did not fit (or another writer got in between): from the product as last read, take the arrival-order
   * fits (first fit) with one conditional decrement; if that loses to another writer, read again. Each document
   * seen goes into {@code lastSeen}.
   */
  private Future<List<Take>> takeWhatFits(String productId, List<Hold> holds, JsonObject product, int roundsLeft,
                                          Map<String, JsonObject> lastSeen) {
    long left = product.getLong("stock", 0L);
    List<Hold> fitting = new ArrayList<>();
    for (Hold hold : holds) {
      if (hold.quantity() <= left) {
        fitting.add(hold);
        left -= hold.quantity();
      }
    }
    if (fitting.isEmpty()) {
      long available = product.getLong("stock", 0L);
      return Future.succeededFuture(holds.stream().<Take>map(h -> new Short(available)).toList());
    }
    if (roundsLeft <= 1) {
      return Future.failedFuture(new IllegalStateException("stock of product " + productId
          + " kept changing under concurrent writers"));
    }
    return conditionalTake(productId, fitting).compose(taken -> {
      if (taken != null) {
        lastSeen.put(productId, taken);
        return Future.succeededFuture(outcomes(holds, fitting, taken));
      }
      return mongo.findOne(ProductStore.COLLECTION, ProductStore.byId(productId), null).compose(again -> {
        if (again == null) {
          lastSeen.remove(productId);
          return Future.succeededFuture(holds.stream().<Take>map(h -> new Missing()).toList());
        }
        lastSeen.put(productId, again);
        return takeWhatFits(productId, holds, again, roundsLeft - 1, lastSeen);
      });
    });
  }

  private static List<Take> outcomes(List<Hold> holds, List<Hold> fitting, JsonObject taken) {
    Set<Hold> took = Collections.newSetFromMap(new IdentityHashMap<>());
    took.addAll(fitting);
    long available = taken.getLong("stock", 0L);
    return holds.stream().<Take>map(h -> took.contains(h) ? new Taken(taken) : new Short(available)).toList();
  }

  /** One update: {@code stock -= sum} with every hold, only if {@code stock >= sum}; the new document, or null. */
  private Future<JsonObject> conditionalTake(String productId, List<Hold> holds) {
    return mongo.findOneAndUpdateWithOptions(ProductStore.COLLECTION, takeFilter(productId, holds),
        takeUpdate(holds, null), new FindOptions(), new UpdateOptions().setReturningNewDocument(true));
  }

  private static JsonObject takeFilter(String productId, List<Hold> holds) {
    long sum = holds.stream().mapToLong(Hold::quantity).sum();
    return ProductStore.byId(productId).put("stock", new JsonObject().put("$gte", sum));
  }

  /** {@code stock -= sum} with every hold set, and the product's settled holds ({@code unset}, if any) dropped. */
  private static JsonObject takeUpdate(List<Hold> holds, JsonObject unset) {
    long sum = 0;
    long now = System.currentTimeMillis();
    JsonObject set = new JsonObject();
    for (Hold hold : holds) {
      sum += hold.quantity();
      set.put(holdField(hold.attempt()), new JsonObject().put("o", hold.orderId()).put("q", hold.quantity())
          .put("at", now));
    }
    JsonObject update = new JsonObject().put("$inc", new JsonObject().put("stock", -sum)).put("$set", set);
    return unset == null ? update : update.put("$unset", unset);
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
    JsonObject filter = new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(List.copyOf(productIds))));
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
