package com.reactiveshop.order;

import io.nats.client.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The states a crash of the order process leaves, written straight into the stores, and what the release retrier
 * makes of them once the intent's grace time has passed: stock held for an order that was never stored comes back;
 * stock of an order that was stored stays. After recovery, initial stock = stock + units in CONFIRMED orders.
 */
class OrderCrashRecoveryTest {

  static OrderServiceFixture f;
  static String userId;

  @BeforeAll
  static void start() throws Exception {
    f = new OrderServiceFixture();
    userId = f.createUser("grace");
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  private static JsonObject reserveOverNats(UUID orderId, String productId, int quantity) throws Exception {
    JsonObject request = new JsonObject().put("orderId", orderId.toString()).put("items", new JsonArray()
        .add(new JsonObject().put("productId", productId).put("quantity", quantity)));
    Message reply = f.client.request("products.reserve", request.encode().getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(5));
    return json(reply);
  }

  /** The intent as the order path writes it, already due (its grace time has passed). */
  private static void dueIntent(UUID orderId) {
    await(f.db.preparedQuery("INSERT INTO pending_releases (order_id, reason, next_attempt_at)"
        + " VALUES ($1, $2, now() - interval '1 second')").execute(Tuple.of(orderId, OrderIntents.REASON)));
  }

  private static long unitsInConfirmedOrders(String productId) {
    return f.count("SELECT coalesce(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id"
        + " WHERE o.status = 'CONFIRMED' AND i.product_id = $1", productId);
  }

  @Test
  void theProcessDiedAfterReservingBeforeStoring() throws Exception {
    String pen = f.createProduct("pen", 150, 10);
    UUID orderId = UUID.randomUUID();
    dueIntent(orderId);
    reserveOverNats(orderId, pen, 3);
    assertEquals(7, f.stock(pen));

    assertTrue(eventually(() -> f.stock(pen) == 10), "the orphaned reservation is released");
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1", orderId) == 0));
    assertEquals(10, f.stock(pen) + unitsInConfirmedOrders(pen));
  }

  @Test
  void theProcessDiedAfterStoringWithTheIntentStillThere() throws Exception {
    // The intent is removed by the commit statement itself; should one remain (written again by a taken-over
    // claim, say), the retrier finds the order and keeps its stock.
    String pen = f.createProduct("pen", 150, 10);
    HttpResponse<Buffer> created = f.postOrder(orderBody(userId, pen, 4));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    UUID orderId = UUID.fromString(created.bodyAsJsonObject().getString("id"));
    assertEquals(0, f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1", orderId),
        "storing the order removed its intent");
    dueIntent(orderId);

    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1", orderId) == 0));
    assertEquals(6, f.stock(pen), "a stored order keeps its stock");
    assertEquals(10, f.stock(pen) + unitsInConfirmedOrders(pen));
  }

  @Test
  void anUnknownUserTakesNoStockAndLeavesNoIntent() {
    String pen = f.createProduct("pen", 150, 10);
    HttpResponse<Buffer> refused = f.postOrder(orderBody("0123456789abcdef01234567", pen, 2));
    assertEquals(422, refused.statusCode(), refused.bodyAsString());
    assertEquals(10, f.stock(pen));
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0));
  }

  @Test
  void aRefusedOrderLeavesNoIntentAndEveryStoredOrderHoldsItsStock() {
    String pen = f.createProduct("pen", 150, 3);
    for (int i = 0; i < 5; i++) {
      f.postOrder(orderBody(userId, pen, 1));
    }
    assertEquals(0, f.stock(pen));
    assertEquals(409, f.postOrder(orderBody(userId, pen, 1)).statusCode());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0));
    assertEquals(3, unitsInConfirmedOrders(pen));
  }
}
