package com.reactiveshop.order;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.order.StubServices.Answer;
import static com.reactiveshop.order.StubServices.RELEASE;
import static com.reactiveshop.order.StubServices.RESERVE;
import static com.reactiveshop.order.StubServices.USERS_GET;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order path against stubbed user and product services ({@link StubServices}): each answer they can give becomes
 * the contract's answer, and the stock the reserve may have taken is given back exactly when it may have been taken.
 * The end-to-end suites ({@link OrderHttpTest} and the others) run the real services.
 */
class OrderPlacementTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";
  private static final String INK = "cccccccccccccccccccccccc";

  static OrderServiceFixture f;
  static StubServices stubs;

  @BeforeAll
  static void start() throws Exception {
    // A short timeout for silent stubs; a breaker that does not open within this suite.
    f = OrderServiceFixture.withStubbedServices(new BreakerSettings(500, 1_000, 1_000));
    stubs = f.stubs;
  }

  @AfterEach
  void reset() {
    stubs.reset();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  private static long intents(String orderId) {
    return f.count("SELECT count(*) FROM pending_releases WHERE order_id::text = $1", orderId);
  }

  private static String reservedOrderId() {
    assertEquals(1, stubs.requests(RESERVE).size());
    return stubs.requests(RESERVE).get(0).getString("orderId");
  }

  @Test
  void aReservedOrderIsStoredWithTheReservationsNamesAndPrices() {
    stubs.answer(RESERVE, request -> Answer.ok(StubServices.reservation(request, 250)));
    HttpResponse<Buffer> response = f.postOrder(orderBody(USER, PEN, 2, INK, 1));

    assertEquals(201, response.statusCode(), response.bodyAsString());
    JsonObject order = response.bodyAsJsonObject();
    assertEquals(reservedOrderId(), order.getString("id"));
    assertEquals(OrderRoutes.API + "/" + order.getString("id"), response.getHeader("Location"));
    assertEquals(750, order.getLong("totalCents"));
    assertEquals(new JsonObject().put("productId", PEN).put("name", "Product " + PEN).put("quantity", 2)
        .put("priceCents", 250), order.getJsonArray("items").getJsonObject(0));
    assertEquals(new JsonObject().put("id", USER), stubs.requests(USERS_GET).get(0));
    assertEquals(0, intents(order.getString("id")), "the commit removed the release intent");
    assertTrue(stubs.requests(RELEASE).isEmpty());
  }

  @Test
  void anUnknownUserIs422AndNothingIsReserved() {
    stubs.answer(USERS_GET, request -> Answer.error(404, "user_not_found", null));
    assertError(f.postOrder(orderBody(USER, PEN, 1)), 422, "user_not_found");
    // The reserve is only asked once the user is known; the intent recorded meanwhile goes, nothing to release.
    assertTrue(stubs.requests(RESERVE).isEmpty());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0));
    assertTrue(stubs.requests(RELEASE).isEmpty());
  }

  @Test
  void shortStockIs409WithItsDetailsAndNothingToGiveBack() {
    JsonArray details = new JsonArray().add(new JsonObject().put("productId", INK).put("requested", 3)
        .put("available", 1));
    stubs.answer(RESERVE, request -> Answer.error(409, "insufficient_stock", details));
    JsonObject error = assertError(f.postOrder(orderBody(USER, PEN, 1, INK, 3)), 409, "insufficient_stock");

    assertEquals(details, error.getJsonArray("details"));
    String orderId = reservedOrderId();
    assertTrue(eventually(() -> intents(orderId) == 0), "all or nothing: the intent goes without a release");
    assertTrue(stubs.requests(RELEASE).isEmpty());
  }

  @Test
  void unknownProductsAre422() {
    stubs.answer(RESERVE, request -> Answer.error(404, "product_not_found", null));
    assertError(f.postOrder(orderBody(USER, PEN, 1)), 422, "product_not_found");
    String orderId = reservedOrderId();
    assertTrue(eventually(() -> intents(orderId) == 0));
    assertTrue(stubs.requests(RELEASE).isEmpty());
  }

  @Test
  void aReserveStillInProgressElsewhereIs503AndItsStockIsGivenBack() {
    stubs.answer(RESERVE, request -> Answer.error(409, "reservation_in_progress", null));
    HttpResponse<Buffer> response = f.postOrder(orderBody(USER, PEN, 1));

    assertError(response, 503, "dependency_unavailable");
    assertEquals("1", response.getHeader("Retry-After"));
    String orderId = reservedOrderId();
    assertTrue(eventually(() -> stubs.requests(RELEASE).size() == 1));
    assertEquals(orderId, stubs.requests(RELEASE).get(0).getString("orderId"));
    assertTrue(eventually(() -> intents(orderId) == 0), "delivered: the intent goes");
  }

  @Test
  void aReserveWithoutAnAnswerMayHaveHappenedSoItIsReleased() {
    stubs.answer(RESERVE, request -> Answer.SILENCE);
    assertError(f.postOrder(orderBody(USER, PEN, 1)), 503, "dependency_unavailable");
    String orderId = reservedOrderId();
    assertTrue(eventually(() -> stubs.requests(RELEASE).stream()
        .anyMatch(release -> orderId.equals(release.getString("orderId")))));
    assertTrue(eventually(() -> intents(orderId) == 0));
  }

  @Test
  void aReleaseThatIsNotTakenLeavesTheIntentForTheRetrier() throws InterruptedException {
    stubs.answer(RESERVE, request -> Answer.error(409, "reservation_in_progress", null));
    stubs.answer(RELEASE, request -> Answer.SILENCE);
    assertError(f.postOrder(orderBody(USER, PEN, 1)), 503, "dependency_unavailable");
    String orderId = reservedOrderId();
    assertTrue(eventually(() -> stubs.requests(RELEASE).size() == 1));
    Thread.sleep(1_000); // past the release's timeout
    // Not delivered: the intent stays (due after the grace time), so the retrier still gives the stock back later.
    assertEquals(1, intents(orderId));
    await(f.db.preparedQuery("DELETE FROM pending_releases WHERE order_id::text = $1").execute(Tuple.of(orderId)));
  }

  @Test
  void aCommitThatComesAfterTheRetrierTookTheIntentStoresNothingAndTheStockIsReleased() {
    stubs.answer(RESERVE, request -> {
      // While the reserve is on its way, the intent's grace time runs out and the retrier leases it (as when the
      // commit then waits in a paused PostgreSQL for longer than the grace time).
      await(f.db.preparedQuery("UPDATE pending_releases SET attempts = attempts + 1 WHERE order_id::text = $1")
          .execute(Tuple.of(request.getString("orderId"))));
      return Answer.ok(StubServices.reservation(request, 250));
    });
    HttpResponse<Buffer> response = f.postOrder(orderBody(USER, PEN, 1));

    assertError(response, 503, "dependency_unavailable");
    String orderId = reservedOrderId();
    assertEquals(0, f.count("SELECT count(*) FROM orders WHERE id::text = $1", orderId), "no order without its stock");
    assertTrue(eventually(() -> stubs.requests(RELEASE).stream()
        .anyMatch(release -> orderId.equals(release.getString("orderId")))));
    assertTrue(eventually(() -> intents(orderId) == 0), "delivered: the intent goes");
  }

  @Test
  void theSameAnswersComeBackUnderAnIdempotencyKey() {
    stubs.answer(USERS_GET, request -> Answer.error(404, "user_not_found", null));
    String key = "stub-" + UUID.randomUUID();
    assertError(f.postOrder(orderBody(USER, PEN, 1), key), 422, "user_not_found");
    stubs.reset();
    // The refusal was stored: the same request gets it again although the user service now knows the user (the
    // lookup goes out with the claim, and a replay does not use it), and nothing is reserved.
    HttpResponse<Buffer> again = f.postOrder(orderBody(USER, PEN, 1), key);
    assertError(again, 422, "user_not_found");
    assertEquals("true", again.getHeader("Idempotent-Replayed"));
    assertTrue(stubs.requests(RESERVE).isEmpty());
  }
}
