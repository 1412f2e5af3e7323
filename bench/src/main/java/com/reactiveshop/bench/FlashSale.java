package com.reactiveshop.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The flash sale: one fresh product with {@code stock} units, {@code buyers} single-unit orders sent at once over as
 * many already-open connections, each with its own Idempotency-Key. Wall time runs from the first send to the last
 * answer. Exactly {@code stock} must be 201 and the rest 409, and the product must end with no stock.
 */
final class FlashSale {

  record Round(String productId, double wallMs, Map<String, Long> statuses, long stockLeft, boolean ok) {
    JsonObject toJson() {
      JsonObject s = new JsonObject();
      statuses.forEach(s::put);
      return new JsonObject().put("productId", productId).put("wallMs", Json.num(wallMs)).put("statuses", s).put("stockLeft", stockLeft)
          .put("ok", ok);
    }
  }

  private FlashSale() {
  }

  /**
   * One round on a new product of {@code stock} units; {@code created} learns the product's id as soon as it exists,
   * so its stock is accounted for even if the round fails halfway.
   */
  static Round run(Vertx vertx, String productUrl, String orderUrl, List<String> users, int stock, int buyers,
                   String runId, int round, Consumer<String> created) {
    Http seed = new Http(vertx, 4);
    Http http = new Http(vertx, buyers);
    try {
      JsonObject product = seed.call(HttpMethod.POST, productUrl + "/api/products", new JsonObject()
          .put("name", "Flash sale " + runId + " #" + round).put("priceCents", 999).put("stock", stock)).json();
      String productId = product.getString("id");
      if (productId == null) {
        throw new IllegalStateException("could not create the flash-sale product: " + product);
      }
      created.accept(productId);
      // Open every connection first, so the sale measures orders, not TCP handshakes.
      List<Future<Http.Answer>> warm = new ArrayList<>();
      for (int i = 0; i < buyers; i++) {
        warm.add(http.send(HttpMethod.GET, orderUrl + "/health/live", null, null));
      }
      Http.await(Future.join(warm), 30);

      Promise<double[]> wall = Promise.promise();
      Map<String, Long> statuses = new TreeMap<>();
      Context context = vertx.getOrCreateContext();
      context.runOnContext(v -> {
        List<Future<Http.Answer>> orders = new ArrayList<>(buyers);
        long first = System.nanoTime();
        long[] last = {first};
        for (int i = 0; i < buyers; i++) {
          JsonObject body = new JsonObject().put("userId", users.get(i % users.size()))
              .put("items", new JsonArray().add(new JsonObject().put("productId", productId).put("quantity", 1)));
          MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")
              .add("Idempotency-Key", "flash-" + runId + "-" + round + "-" + i);
          orders.add(http.send(HttpMethod.POST, orderUrl + "/api/orders", headers, body.toBuffer())
              .andThen(ar -> {
                last[0] = System.nanoTime();
                statuses.merge(ar.succeeded() ? String.valueOf(ar.result().status())
                    : ar.cause().getClass().getSimpleName(), 1L, Long::sum);
              }));
        }
        Future.join(orders).onComplete(ar -> wall.complete(new double[] {(last[0] - first) / 1e6}));
      });
      double wallMs = Http.await(wall.future(), 60)[0];
      long stockLeft = seed.getJson(productUrl + "/api/products/" + productId).getLong("stock", -1L);
      boolean ok = statuses.getOrDefault("201", 0L) == stock && statuses.getOrDefault("409", 0L) == buyers - stock
          && stockLeft == 0;
      return new Round(productId, wallMs, statuses, stockLeft, ok);
    } finally {
      http.close();
      seed.close();
    }
  }
}
