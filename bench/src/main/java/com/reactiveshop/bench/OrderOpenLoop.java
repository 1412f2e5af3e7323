package com.reactiveshop.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;

/**
 * {@code bench.jar open-loop}: the kit's open-loop POST /api/orders scenario on its own, against a running system, for
 * looking at latency at one rate (for example with different JVM options). Each order is one unit of a random product
 * for a random user, with a fresh Idempotency-Key, as in {@code bench/run.sh}; the first {@code --warmup} seconds at
 * the rate are sent but not recorded. Prints the result as one JSON line.
 *
 * <pre>
 * java -jar bench/target/bench.jar open-loop --order-url http://127.0.0.1:3003 --users ID,ID --products ID,ID \
 *   --rate 500 [--warmup 5] [--seconds 15] [--connections 64]
 * </pre>
 */
final class OrderOpenLoop {

  private OrderOpenLoop() {
  }

  /** Request {@code i}: one unit of a random product for a random user, under the key {@code open-<run>-<i>}. */
  static LongFunction<OpenLoop.Request> requests(List<String> users, List<String> products, String run) {
    return i -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      JsonObject body = new JsonObject().put("userId", users.get(random.nextInt(users.size())))
          .put("items", new JsonArray().add(new JsonObject()
              .put("productId", products.get(random.nextInt(products.size()))).put("quantity", 1)));
      return new OpenLoop.Request(HttpMethod.POST, "/api/orders", MultiMap.caseInsensitiveMultiMap()
          .add("Content-Type", "application/json").add("Idempotency-Key", "open-" + run + "-" + i), body.toBuffer());
    };
  }

  static int run(Map<String, String> options) {
    String url = options.get("order-url");
    List<String> users = List.of(options.getOrDefault("users", "").split(","));
    List<String> products = List.of(options.getOrDefault("products", "").split(","));
    if (url == null || users.get(0).isEmpty() || products.get(0).isEmpty() || !options.containsKey("rate")) {
      System.err.println("usage: open-loop --order-url URL --users ID,... --products ID,... --rate PER_SECOND"
          + " [--warmup 5] [--seconds 15] [--connections 64]");
      return 2;
    }
    double rate = Double.parseDouble(options.get("rate"));
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "15"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "5"));
    int connections = Integer.parseInt(options.getOrDefault("connections", "64"));
    String run = UUID.randomUUID().toString();
    Vertx vertx = Vertx.vertx();
    try {
      OpenLoop.Result r = OpenLoop.run(vertx, url, rate, warmup, seconds, connections, 4096,
          requests(users, products, run));
      System.out.println(r.toJson().encode());
      return 0;
    } finally {
      vertx.close();
    }
  }
}
