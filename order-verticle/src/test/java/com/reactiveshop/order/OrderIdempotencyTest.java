package com.reactiveshop.order;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.order.StubServices.Answer;
import static com.reactiveshop.order.StubServices.RELEASE;
import static com.reactiveshop.order.StubServices.RESERVE;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotency-Key: replays, concurrent duplicates, reuse with another body. The user and product services are stubbed
 * ({@link StubServices}): what the order service asked of {@code products.reserve} / {@code products.release} stands
 * for the stock it took or gave back.
 */
class OrderIdempotencyTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String OTHER_USER = "dddddddddddddddddddddddd";
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

  /** The order ids {@code products.reserve} was asked to reserve for. */
  private static Set<String> reservedFor() {
    return stubs.requests(RESERVE).stream().map(r -> r.getString("orderId")).collect(Collectors.toSet());
  }

  @Test
  void sameKeyAndSameBodyReplaysTheFirstAnswerWhateverTheKeyOrder() {
    stubs.answer(RESERVE, request -> Answer.ok(StubServices.reservation(request, 150)));
    String key = "key-" + UUID.randomUUID();
    HttpResponse<Buffer> first = f.postOrder(orderBody(USER, PEN, 2), key);
    assertEquals(201, first.statusCode(), first.bodyAsString());

    // The same JSON value with its keys in another order.
    String reordered = "{\"items\": [{\"quantity\": 2, \"productId\": \"" + PEN + "\"}], \"userId\": \"" + USER + "\"}";
    HttpResponse<Buffer> again = f.postOrder(reordered, key);
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertEquals("true", again.getHeader("Idempotent-Replayed"));
    assertEquals(first.bodyAsJsonObject(), again.bodyAsJsonObject());
    assertEquals(first.getHeader("Location"), again.getHeader("Location"));
    // Stock was asked for once, for the one order; nothing given back.
    assertEquals(1, stubs.requests(RESERVE).size());
    assertEquals(Set.of(first.bodyAsJsonObject().getString("id")), reservedFor());
    assertTrue(stubs.requests(RELEASE).isEmpty());
    assertEquals(1, f.count("SELECT count(*) FROM orders WHERE id::text = $1 AND total_cents = 300",
        first.bodyAsJsonObject().getString("id")));
  }

  @Test
  void sameKeyWithAnotherBodyIs422() {
    String key = "key-" + UUID.randomUUID();
    assertEquals(201, f.postOrder(orderBody(USER, PEN, 1), key).statusCode());
    assertError(f.postOrder(orderBody(USER, PEN, 2), key), 422, "idempotency_key_reused");
    assertEquals(1, stubs.requests(RESERVE).size(), "the reused key reserved nothing more");
    assertTrue(stubs.requests(RELEASE).isEmpty());
  }

  @Test
  void aDefiniteRefusalIsReplayedToo() {
    JsonArray details = new JsonArray().add(new JsonObject().put("productId", PEN).put("requested", 5)
        .put("available", 1));
    stubs.answer(RESERVE, request -> Answer.error(409, "insufficient_stock", details));
    String key = "key-" + UUID.randomUUID();
    JsonObject first = assertError(f.postOrder(orderBody(USER, PEN, 5), key), 409, "insufficient_stock");
    assertEquals(details, first.getJsonArray("details"));
    stubs.reset(); // the product service would now take it: the stored refusal is replayed all the same
    HttpResponse<Buffer> replayed = f.postOrder(orderBody(USER, PEN, 5), key);
    JsonObject again = assertError(replayed, 409, "insufficient_stock");
    assertEquals(first, again);
    assertEquals("true", replayed.getHeader("Idempotent-Replayed"));
    assertTrue(stubs.requests(RESERVE).isEmpty(), "a replay asks nothing of the product service");
  }

  @Test
  void fiftyConcurrentDuplicatesOverTwoInstancesMakeOneOrderAndTakeStockOnce() {
    String key = "key-" + UUID.randomUUID();
    String body = orderBody(USER, PEN, 7);
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
    // Stock taken once: one reserve, for that order, of the quantity asked; nothing given back.
    assertEquals(1, stubs.requests(RESERVE).size(), stubs.requests(RESERVE).toString());
    assertEquals(orderIds, reservedFor());
    assertEquals(7, stubs.requests(RESERVE).get(0).getJsonArray("items").getJsonObject(0).getInteger("quantity"));
    assertTrue(stubs.requests(RELEASE).isEmpty());
    String orderId = orderIds.iterator().next();
    assertEquals(1, f.count("SELECT count(*) FROM order_items WHERE order_id::text = $1", orderId));
    // One created event for that one order.
    assertEquals(1, f.count("SELECT count(*) FROM outbox WHERE payload LIKE '%' || $1 || '%'", orderId));
  }

  @Test
  void keysAreGlobalAcrossUsers() {
    String key = "key-" + UUID.randomUUID();
    assertEquals(201, f.postOrder(orderBody(USER, PEN, 1), key).statusCode());
    assertError(f.postOrder(orderBody(OTHER_USER, PEN, 1), key), 422, "idempotency_key_reused");
    JsonArray items = f.getOrders(OrderRoutes.API + "?userId=" + OTHER_USER).bodyAsJsonObject().getJsonArray("items");
    assertEquals(0, items.size());
    assertEquals(1, stubs.requests(RESERVE).size());
  }
}
