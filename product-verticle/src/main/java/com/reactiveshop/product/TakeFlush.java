package com.reactiveshop.product;

import com.reactiveshop.common.cache.DocumentCache;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.MongoClientBulkWriteResult;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.reactiveshop.product.StockLedger.Hold;
import static com.reactiveshop.product.StockLedger.Missing;
import static com.reactiveshop.product.StockLedger.Short;
import static com.reactiveshop.product.StockLedger.Take;
import static com.reactiveshop.product.StockLedger.Taken;

/**
 * One flush of the takes that arrived while the previous one was in flight ({@link StockLedger}), in two commands
 * sent together, whatever their number: one bulk write holding one conditional decrement per product (the sum of its
 * takes, with all their holds, and its settled holds dropped), and one read of those products.
 *
 * <p>The read does not wait for the write: it is there for the names and prices of the answer (the same before and
 * after the take), and the write's matched count says whether every decrement landed. Only when one did not is
 * anything read again: then the products as read back tell which decrements landed (their holds are there), and a
 * product whose sum did not fit goes through {@link #takeWhatFits}. So the usual take costs one round trip, not two.
 *
 * <p>Every product of the flush is put into the cache as read after the take, or dropped from it when the read
 * cannot be placed after the take (or the flush failed).
 */
final class TakeFlush {

  /** A conditional take that loses to another instance's write is re-read and retried this many times. */
  private static final int MAX_ROUNDS = 5;

  private final MongoClient mongo;
  private final SettledHolds settled;
  private final List<StockLedger.Request> requests;
  private final Map<String, List<Hold>> byProduct = new LinkedHashMap<>();
  private final Map<String, DocumentCache.Write> cacheWrites = new HashMap<>();
  private final Map<String, JsonObject> unsets = new HashMap<>();
  /** Each product as last read; after the take, when {@link #landed} says so. */
  private final Map<String, JsonObject> lastSeen = new HashMap<>();

  TakeFlush(MongoClient mongo, CachedDocuments cache, SettledHolds settled, List<StockLedger.Request> requests) {
    this.mongo = mongo;
    this.settled = settled;
    this.requests = requests;
    for (StockLedger.Request request : requests) {
      byProduct.computeIfAbsent(request.productId(), id -> new ArrayList<>()).add(request.hold());
    }
    byProduct.keySet().forEach(productId -> cacheWrites.put(productId, cache.write(productId)));
  }

  Future<List<Take>> write() {
    List<BulkOperation> decrements = new ArrayList<>();
    byProduct.forEach((productId, holds) -> {
      JsonObject unset = settled.claim(productId);
      if (unset != null) {
        unsets.put(productId, unset);
      }
      decrements.add(BulkOperation.createUpdate(takeFilter(productId, holds), takeUpdate(holds, unset)));
    });
    Future<List<JsonObject>> read = readAll();
    Future<MongoClientBulkWriteResult> written = mongo.bulkWriteWithOptions(ProductStore.COLLECTION, decrements,
        new BulkWriteOptions(false)).onFailure(failed -> unsets.forEach(settled::putBack));
    return Future.all(read, written)
        .compose(both -> {
          read.result().forEach(product -> lastSeen.put(product.getString("_id"), product));
          if (written.result().getMatchedCount() == decrements.size() && lastSeen.keySet().equals(byProduct.keySet())) {
            return Future.succeededFuture(everyTakeLanded());
          }
          return readAll().compose(this::sortOut);
        })
        .andThen(done -> cacheWrites.forEach((productId, write) -> {
          JsonObject product = done.succeeded() ? lastSeen.get(productId) : null;
          if (product != null && landed(product, byProduct.get(productId))) {
            write.written(Product.toApi(product));
          } else {
            write.dropped();
          }
        }));
  }

  private Future<List<JsonObject>> readAll() {
    return mongo.find(ProductStore.COLLECTION, new JsonObject().put("_id", new JsonObject()
        .put("$in", new JsonArray(List.copyOf(byProduct.keySet())))));
  }

  private List<Take> everyTakeLanded() {
    List<Take> taken = new ArrayList<>(requests.size());
    requests.forEach(request -> taken.add(new Taken(lastSeen.get(request.productId()))));
    return taken;
  }

  /** Some decrement did not land: the products as read back (after the write) say which, and why not. */
  private Future<List<Take>> sortOut(List<JsonObject> readBack) {
    lastSeen.clear();
    readBack.forEach(product -> lastSeen.put(product.getString("_id"), product));
    // A decrement that did not fit carried its product's settled holds with it: they wait for the next write.
    unsets.forEach((productId, unset) -> {
      if (!landed(lastSeen.get(productId), byProduct.get(productId))) {
        settled.putBack(productId, unset);
      }
    });
    Map<String, Future<List<Take>>> outcomes = new LinkedHashMap<>();
    byProduct.forEach((productId, holds) -> outcomes.put(productId, outcomes(productId, holds)));
    return Future.all(new ArrayList<>(outcomes.values())).map(all -> inRequestOrder(outcomes));
  }

  private Future<List<Take>> outcomes(String productId, List<Hold> holds) {
    JsonObject product = lastSeen.get(productId);
    if (product == null) {
      return Future.succeededFuture(holds.stream().<Take>map(h -> new Missing()).toList());
    }
    if (landed(product, holds)) {
      return Future.succeededFuture(holds.stream().<Take>map(h -> new Taken(product)).toList());
    }
    return takeWhatFits(productId, holds, product, MAX_ROUNDS);
  }

  /** True when this flush's decrement of the product landed before it was read: its first hold is there. */
  private static boolean landed(JsonObject product, List<Hold> holds) {
    return product != null && product.getJsonObject("holds", new JsonObject()).containsKey(holds.get(0).attempt());
  }

  private List<Take> inRequestOrder(Map<String, Future<List<Take>>> outcomes) {
    Map<String, Integer> next = new HashMap<>();
    List<Take> ordered = new ArrayList<>(requests.size());
    for (StockLedger.Request request : requests) {
      int index = next.merge(request.productId(), 1, Integer::sum) - 1;
      ordered.add(outcomes.get(request.productId()).result().get(index));
    }
    return ordered;
  }

  /**
   * The sum did not fit (or another writer got in between): from the product as last read, take the arrival-order
   * fits (first fit) with one conditional decrement; if that loses to another writer, read again.
   */
  private Future<List<Take>> takeWhatFits(String productId, List<Hold> holds, JsonObject product, int roundsLeft) {
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
        return takeWhatFits(productId, holds, again, roundsLeft - 1);
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
      set.put(StockLedger.holdField(hold.attempt()), new JsonObject().put("o", hold.orderId())
          .put("q", hold.quantity()).put("at", now));
    }
    JsonObject update = new JsonObject().put("$inc", new JsonObject().put("stock", -sum)).put("$set", set);
    return unset == null ? update : update.put("$unset", unset);
  }
}
