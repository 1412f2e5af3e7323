package com.reactiveshop.order;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Idempotency-Key: replays, concurrent duplicates, reuse with another body. */
class OrderIdempotencyTest {

  static OrderServiceFixture f;
  static String userId;

  @BeforeAll
  static void start() throws Exception {
    f = new OrderServiceFixture();
    userId = f.createUser("ada");
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void sameKeyAndSameBodyReplaysTheFirstAnswerWhateverTheKeyOrder() {
    String pen = f.createProduct("pen", 150, 10);
    String key = "key-" + UUID.randomUUID();
    HttpResponse<Buffer> first = f.postOrder(orderBody(userId, pen, 2), key);
    assertEquals(201, first.statusCode(), first.bodyAsString());

    // The same JSON value with its keys in another order.
    String reordered = "{\"items\": [{\"quantity\": 2, \"productId\": \"" + pen + "\"}], \"userId\": \"" + userId + "\"}";
    HttpResponse<Buffer> again = f.postOrder(reordered, key);
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertEquals(first.bodyAsJsonObject(), again.bodyAsJsonObject());
    assertEquals(first.getHeader("Location"), again.getHeader("Location"));
    assertEquals(8, f.stock(pen));
    assertEquals(1, f.count("SELECT count(*) FROM orders WHERE user_id = $1 AND total_cents = 300", userId));
  }

  @Test
  void sameKeyWithAnotherBodyIs422() {
    String pen = f.createProduct("pen", 150, 10);
    String key = "key-" + UUID.randomUUID();
    assertEquals(201, f.postOrder(orderBody(userId, pen, 1), key).statusCode());
    assertError(f.postOrder(orderBody(userId, pen, 2), key), 422, "idempotency_key_reused");
    assertEquals(9, f.stock(pen));
  }

  @Test
  void aDefiniteRefusalIsReplayedToo() {
    String pen = f.createProduct("pen", 150, 1);
    String key = "key-" + UUID.randomUUID();
    JsonObject first = assertError(f.postOrder(orderBody(userId, pen, 5), key), 409, "insufficient_stock");
    assertEquals(1, f.stock(pen));
    JsonObject again = assertError(f.postOrder(orderBody(userId, pen, 5), key), 409, "insufficient_stock");
    assertEquals(first, again);
  }

  @Test
  void fiftyConcurrentDuplicatesOverTwoInstancesMakeOneOrderAndTakeStockOnce() {
    String pen = f.createProduct("pen", 100, 1000);
    String key = "key-" + UUID.randomUUID();
    String body = orderBody(userId, pen, 7);
    int firstInstance = f.orderPort;
    f.deployOrders();
    int secondInstance = f.orderPort;
    List<Future<HttpResponse<Buffer>>> sends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sends.add(f.postOrderAsync(i % 2 == 0 ? firstInstance : secondInstance, body, key));
    }
    await(Future.join(sends));

    Set<String> orderIds = sends.stream().map(Future::result).filter(r -> r.statusCode() == 201)
        .map(r -> r.bodyAsJsonObject().getString("id")).collect(Collectors.toSet());
    for (Future<HttpResponse<Buffer>> send : sends) {
      HttpResponse<Buffer> response = send.result();
      assertTrue(response.statusCode() == 201 || response.statusCode() == 409, response.bodyAsString());
      if (response.statusCode() == 409) {
        assertError(response, 409, "request_in_progress");
        assertTrue(response.getHeader("Retry-After") != null);
      }
    }
    assertEquals(1, orderIds.size(), orderIds.toString());
    assertEquals(993, f.stock(pen));
    assertEquals(1, f.count("SELECT count(*) FROM order_items WHERE product_id = $1", pen));
    // One created event for that one order.
    assertEquals(1, f.count("SELECT count(*) FROM outbox WHERE payload LIKE '%' || $1 || '%'", pen));
  }

  @Test
  void keysAreGlobalAcrossUsers() {
    String other = f.createUser("grace");
    String pen = f.createProduct("pen", 150, 10);
    String key = "key-" + UUID.randomUUID();
    assertEquals(201, f.postOrder(orderBody(userId, pen, 1), key).statusCode());
    assertError(f.postOrder(orderBody(other, pen, 1), key), 422, "idempotency_key_reused");
    JsonArray items = f.getOrders(OrderRoutes.API + "?userId=" + other).bodyAsJsonObject().getJsonArray("items");
    assertEquals(0, items.size());
  }
}
