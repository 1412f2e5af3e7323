package com.reactiveshop.order;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.order.StubServices.Answer;
import static com.reactiveshop.order.StubServices.RELEASE;
import static com.reactiveshop.order.StubServices.RESERVE;
import static com.reactiveshop.order.StubServices.USERS_GET;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The states a crash of the order process leaves, written straight into the store, and what the release retrier
 * makes of them once the intent's grace time has passed: stock held for an order that was never stored is released
 * ({@code products.release} for that order); stock of an order that was stored is not. The product service is stubbed
 * ({@link StubServices}): what it was asked to release stands for the stock given back (the product service's own
 * suites cover that a release gives it back, {@link OrderHttpTest} the two together).
 */
class OrderCrashRecoveryTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";

  static OrderServiceFixture f;
  static StubServices stubs;

  @BeforeAll
  static void start() throws Exception {
    f = OrderServiceFixture.withStubbedServices();
    stubs = f.stubs;
  }

  @BeforeEach
  void reset() {
    stubs.reset();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /** The intent as the order path writes it, already due (its grace time has passed). */
  private static void dueIntent(UUID orderId) {
    await(f.db.preparedQuery("INSERT INTO pending_releases (order_id, reason, next_attempt_at)"
        + " VALUES ($1, $2, now() - interval '1 second')").execute(Tuple.of(orderId, OrderIntents.REASON)));
  }

  private static long intents(UUID orderId) {
    return f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1", orderId);
  }

  private static long releasesFor(UUID orderId) {
    return stubs.requests(RELEASE).stream().filter(r -> orderId.toString().equals(r.getString("orderId"))).count();
  }

  private static long unitsInConfirmedOrders(String productId) {
    return f.count("SELECT coalesce(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id"
        + " WHERE o.status = 'CONFIRMED' AND i.product_id = $1", productId);
  }

  @Test
  void theProcessDiedAfterReservingBeforeStoring() {
    // The intent was written and the reserve went out; then the process died, so no order row exists.
    UUID orderId = UUID.randomUUID();
    dueIntent(orderId);

    assertTrue(eventually(() -> releasesFor(orderId) >= 1), "the orphaned reservation is released");
    assertTrue(eventually(() -> intents(orderId) == 0), "the delivered release removes the intent");
    assertEquals(0, f.count("SELECT count(*) FROM orders WHERE id = $1", orderId));
  }

  @Test
  void theProcessDiedAfterStoringWithTheIntentStillThere() {
    // The intent is removed by the commit statement itself; should one remain (written again by a taken-over
    // claim, say), the retrier finds the order and keeps its stock.
    HttpResponse<Buffer> created = f.postOrder(orderBody(USER, PEN, 4));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    UUID orderId = UUID.fromString(created.bodyAsJsonObject().getString("id"));
    assertEquals(0, intents(orderId), "storing the order removed its intent");
    dueIntent(orderId);

    assertTrue(eventually(() -> intents(orderId) == 0));
    assertEquals(0, releasesFor(orderId), "a stored order keeps its stock");
    assertEquals(4, f.count("SELECT coalesce(sum(quantity), 0) FROM order_items WHERE order_id = $1", orderId));
  }

  @Test
  void anUnknownUserTakesNoStockAndLeavesNoIntent() {
    stubs.answer(USERS_GET, request -> Answer.error(404, "user_not_found", null));
    HttpResponse<Buffer> refused = f.postOrder(orderBody("0123456789abcdef01234567", PEN, 2));
    assertEquals(422, refused.statusCode(), refused.bodyAsString());
    assertTrue(stubs.requests(RESERVE).isEmpty());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0));
    assertTrue(stubs.requests(RELEASE).isEmpty());
  }

  @Test
  void aRefusedOrderLeavesNoIntentAndEveryStoredOrderHoldsItsStock() {
    String cup = "cccccccccccccccccccccccc";
    // A product with 3 in stock: three reserves of one are taken, the next is short.
    AtomicInteger stock = new AtomicInteger(3);
    stubs.answer(RESERVE, request -> stock.getAndUpdate(s -> s > 0 ? s - 1 : s) > 0
        ? Answer.ok(StubServices.reservation(request, 100))
        : Answer.error(409, "insufficient_stock", new JsonArray().add(new JsonObject().put("productId", cup)
            .put("requested", 1).put("available", 0))));
    for (int i = 0; i < 3; i++) {
      assertEquals(201, f.postOrder(orderBody(USER, cup, 1)).statusCode());
    }
    assertEquals(409, f.postOrder(orderBody(USER, cup, 1)).statusCode());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0));
    assertEquals(3, unitsInConfirmedOrders(cup));
    assertTrue(stubs.requests(RELEASE).isEmpty(), "nothing stored or refused is released");
  }
}
