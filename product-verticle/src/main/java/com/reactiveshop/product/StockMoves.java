package com.reactiveshop.product;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

/**
 * Stock movements on the {@code products} collection made for a reservation. Each product document carries a small
 * array {@code pending} of the order ids whose units it currently holds for a reservation in flight. The stock change
 * and the marker change happen in ONE single-document update, so they are atomic together: whether an order's units
 * are taken from a product can always be read back from the product itself, even after a crash between any two
 * steps of the reservation. The array stays small: a marker is dropped once the reservation is settled.
 *
 * <p>On the embedded MongoDB-wire server, a filter with more fields than {@code _id} scans the collection; this is
 * accepted here only for {@code products}, which is a bounded catalog (on MongoDB the {@code _id} index serves it).
 */
final class StockMoves {

  /** What happened when an order tried to take units of one product. */
  sealed interface Take permits Taken, Short, Missing {
  }

  /** The units are held for the order (now, or already by an earlier attempt); {@code product} is the document. */
  record Taken(JsonObject product) implements Take {
  }

  record Short(long available) implements Take {
  }

  record Missing() implements Take {
  }

  private final MongoClient mongo;

  StockMoves(MongoClient mongo) {
    this.mongo = mongo;
  }

  /**
   * Takes {@code quantity} units for {@code orderId} unless stock is short or this order already holds them. The
   * filter {@code stock >= quantity} makes the decrement conditional in the database, so concurrent takes from any
   * number of instances can never drive stock below zero.
   */
  Future<Take> take(String orderId, String productId, long quantity) {
    if (!ProductIds.isWellFormed(productId)) {
      return Future.succeededFuture(new Missing());
    }
    JsonObject filter = ProductStore.byId(productId)
        .put("stock", new JsonObject().put("$gte", quantity))
        .put("pending", new JsonObject().put("$ne", orderId));
    JsonObject update = new JsonObject()
        .put("$inc", new JsonObject().put("stock", -quantity))
        .put("$push", new JsonObject().put("pending", orderId));
    return mongo.findOneAndUpdateWithOptions(ProductStore.COLLECTION, filter, update, new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .compose(taken -> taken != null ? Future.succeededFuture(new Taken(taken)) : explainNoTake(orderId, productId));
  }

  /** The conditional update matched nothing: the product is gone, short, or already holds this order's units. */
  private Future<Take> explainNoTake(String orderId, String productId) {
    return mongo.findOne(ProductStore.COLLECTION, ProductStore.byId(productId), null).map(product -> {
      if (product == null) {
        return new Missing();
      }
      if (product.getJsonArray("pending") != null && product.getJsonArray("pending").contains(orderId)) {
        return new Taken(product);
      }
      return new Short(product.getLong("stock", 0L));
    });
  }

  /**
   * Gives the units back if, and only if, this order holds them (its marker is there), removing the marker in the
   * same update: a second give-back finds no marker and does nothing. True when this call gave units back.
   */
  Future<Boolean> giveBack(String orderId, String productId, long quantity) {
    if (!ProductIds.isWellFormed(productId)) {
      return Future.succeededFuture(false);
    }
    JsonObject filter = ProductStore.byId(productId).put("pending", orderId);
    JsonObject update = new JsonObject()
        .put("$inc", new JsonObject().put("stock", quantity))
        .put("$pull", new JsonObject().put("pending", orderId));
    return mongo.updateCollection(ProductStore.COLLECTION, filter, update)
        .map(result -> result != null && result.getDocModified() > 0);
  }

  /** Drops the marker, keeping the units taken: the reservation is settled and its record says what it holds. */
  Future<Void> settle(String orderId, String productId) {
    return pendingUpdate("$pull", orderId, productId);
  }

  /**
   * Marks the units of a settled (confirmed) reservation as held again, without moving stock, before they are given
   * back. Adding to a set is idempotent, so repeating it after a crash is harmless.
   */
  Future<Void> markHeld(String orderId, String productId) {
    return pendingUpdate("$addToSet", orderId, productId);
  }

  private Future<Void> pendingUpdate(String operator, String orderId, String productId) {
    if (!ProductIds.isWellFormed(productId)) {
      return Future.succeededFuture();
    }
    JsonObject update = new JsonObject().put(operator, new JsonObject().put("pending", orderId));
    return mongo.updateCollection(ProductStore.COLLECTION, ProductStore.byId(productId), update).mapEmpty();
  }
}
