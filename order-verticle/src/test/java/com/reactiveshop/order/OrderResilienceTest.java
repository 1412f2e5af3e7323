package com.reactiveshop.order;

import io.nats.client.Dispatcher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The product service goes away and comes back: 503s, the breaker opening and closing, releases retried. */
class OrderResilienceTest {

  static OrderServiceFixture f;
  static String userId;

  @BeforeAll
  static void start() throws Exception {
    // Opens after 2 failures; stays open 3 s, long enough to see it fail fast, short enough to wait for.
    f = new OrderServiceFixture(new BreakerSettings(1_000, 2, 3_000));
    userId = f.createUser("ada");
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  private static String breakerState(String name) {
    JsonArray checks = f.getOrders("/health/ready").bodyAsJsonObject().getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      JsonObject check = checks.getJsonObject(i);
      if ("circuit-breakers".equals(check.getString("name"))) {
        JsonArray breakers = check.getJsonArray("breakers");
        for (int j = 0; j < breakers.size(); j++) {
          if (name.equals(breakers.getJsonObject(j).getString("name"))) {
            return breakers.getJsonObject(j).getString("state");
          }
        }
      }
    }
    throw new AssertionError("no breaker " + name + " in " + checks.encode());
  }

  @Test
  void productServiceDownGives503ThenFailsFastThenRecovers() {
    String pen = f.createProduct("pen", 150, 10);
    String body = orderBody(userId, pen, 1);
    f.undeployProducts();
    try {
      long orders = f.count("SELECT count(*) FROM orders");
      // Nobody serves products.reserve: 503 at once, and each counts as a breaker failure.
      for (int i = 0; i < 2; i++) {
        HttpResponse<Buffer> response = f.postOrder(body);
        assertError(response, 503, "dependency_unavailable");
        assertTrue(Integer.parseInt(response.getHeader("Retry-After")) >= 1);
      }
      assertEquals("OPEN", breakerState("product-service"));
      assertTrue(f.getOrders("/metrics").bodyAsString()
          .contains("order_circuit_breaker_state{breaker=\"product-service\"} 2.0"));
      // Open: refused at once without asking anyone, with a Retry-After until the next trial.
      HttpResponse<Buffer> fast = f.postOrder(body, "key-" + UUID.randomUUID());
      assertError(fast, 503, "dependency_unavailable");
      assertEquals("3", fast.getHeader("Retry-After"));
      assertEquals(orders, f.count("SELECT count(*) FROM orders"));
      // Readiness is about this service's own store and NATS: still UP, the breaker shows in the details.
      assertEquals(200, f.getOrders("/health/ready").statusCode());
    } finally {
      f.deployProducts();
    }
    assertEquals(10, f.stock(pen));
    assertTrue(eventually(() -> f.postOrder(body).statusCode() == 201), "orders succeed again");
    assertEquals("CLOSED", breakerState("product-service"));
    // Exactly one order holds stock: a trial that timed out while the service warmed up is released (at once, or
    // by the retry loop once the breaker lets calls through).
    assertTrue(eventually(() -> f.stock(pen) == 9), "only the created order holds stock");
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no release left pending");
    assertEquals(9, f.stock(pen));
  }

  @Test
  void a503KeyedRequestIsNotRememberedSoARetryWorks() {
    String pen = f.createProduct("pen", 150, 10);
    String body = orderBody(userId, pen, 1);
    String key = "key-" + UUID.randomUUID();
    f.undeployProducts();
    try {
      assertError(f.postOrder(body, key), 503, "dependency_unavailable");
    } finally {
      f.deployProducts();
    }
    assertTrue(eventually(() -> f.postOrder(body, key).statusCode() == 201), "the retry with the key is served");
    assertTrue(eventually(() -> f.stock(pen) == 9), "only the created order holds stock");
    assertEquals(201, f.postOrder(body, key).statusCode());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no release left pending");
    assertEquals(9, f.stock(pen));
  }

  @Test
  void cancelWhileProductServiceIsDownStillCancelsAndReleasesLater() {
    String pen = f.createProduct("pen", 150, 10);
    HttpResponse<Buffer> created = f.postOrder(orderBody(userId, pen, 4));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("id");
    assertEquals(6, f.stock(pen));
    f.undeployProducts();
    try {
      HttpResponse<Buffer> cancelled = f.cancel(id);
      assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
      assertEquals("CANCELLED", cancelled.bodyAsJsonObject().getString("status"));
      assertEquals(1, f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1", UUID.fromString(id)));
    } finally {
      f.deployProducts();
    }
    // The retry loop delivers the release once the product service is back (and its breaker lets calls through).
    assertTrue(eventually(() -> f.stock(pen) == 10), "stock given back");
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1",
        UUID.fromString(id)) == 0), "pending release done");
    assertEquals(10, f.stock(pen));
  }

  @Test
  void aReserveThatTimesOutIsReleasedBecauseItMayHaveHappened() throws Exception {
    String pen = f.createProduct("pen", 150, 10);
    f.undeployProducts();
    List<String> reserved = new CopyOnWriteArrayList<>();
    List<String> released = new CopyOnWriteArrayList<>();
    // Stand-ins: a product service that takes the reserve but answers too late, and one that takes releases.
    Dispatcher dispatcher = f.client.createDispatcher();
    dispatcher.subscribe("products.reserve", "q", message ->
        reserved.add(json(message).getString("orderId")));
    dispatcher.subscribe("products.release", "q", message -> {
      String orderId = json(message).getString("orderId");
      released.add(orderId);
      f.client.publish(message.getReplyTo(), new JsonObject().put("orderId", orderId).put("released", true)
          .encode().getBytes(StandardCharsets.UTF_8));
    });
    f.client.flush(java.time.Duration.ofSeconds(2));
    try {
      HttpResponse<Buffer> response = f.postOrder(orderBody(userId, pen, 1));
      assertError(response, 503, "dependency_unavailable");
      assertEquals("1", response.getHeader("Retry-After"));
      assertEquals(1, reserved.size());
      // The answer does not wait for the release; it follows at once.
      assertTrue(eventually(() -> reserved.equals(released)), "the reserve that may have happened is released");
    } finally {
      f.client.closeDispatcher(dispatcher);
      f.deployProducts();
    }
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no release left pending");
    assertEquals(10, f.stock(pen));
  }
}
