package com.reactiveshop.order;

import com.reactiveshop.testing.faults.Processes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.order.StubServices.Answer;
import static com.reactiveshop.order.StubServices.RELEASE;
import static com.reactiveshop.order.StubServices.RESERVE;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product service goes away and comes back: 503s, the breaker opening and closing, releases retried. The user and
 * product services are stubbed ({@link StubServices}); "down" is nobody serving {@code products.*}, and the stock an
 * order holds is what was reserved for it and not released.
 */
class OrderResilienceTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";

  static OrderServiceFixture f;
  static StubServices stubs;

  @BeforeAll
  static void start() throws Exception {
    // Opens after 2 failures; stays open 3 s, long enough to see it fail fast, short enough to wait for.
    f = OrderServiceFixture.withStubbedServices(new BreakerSettings(1_000, 2, 3_000));
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

  private static Set<String> orderIds(String subject) {
    return stubs.requests(subject).stream().map(r -> r.getString("orderId")).collect(Collectors.toSet());
  }

  /** The order ids that still hold stock: reserved and not released. */
  private static Set<String> holdingStock() {
    Set<String> holding = new HashSet<>(orderIds(RESERVE));
    holding.removeAll(orderIds(RELEASE));
    return holding;
  }

  private static boolean stored(String orderId) {
    return f.count("SELECT count(*) FROM orders WHERE id::text = $1", orderId) == 1;
  }

  @Test
  void productServiceDownGives503ThenFailsFastThenRecovers() throws Exception {
    String body = orderBody(USER, PEN, 1);
    stubs.down(RESERVE, RELEASE);
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
      stubs.up(RESERVE, RELEASE);
    }
    assertTrue(stubs.requests(RESERVE).isEmpty(), "nothing was reserved while the service was down");
    assertTrue(eventually(() -> f.postOrder(body).statusCode() == 201), "orders succeed again");
    assertEquals("CLOSED", breakerState("product-service"));
    // Exactly one order holds stock: a trial that timed out while the service came back is released (at once, or
    // by the retry loop once the breaker lets calls through).
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no release left pending");
    Set<String> holding = holdingStock();
    assertEquals(1, holding.size(), "only the created order holds stock: " + holding);
    assertTrue(stored(holding.iterator().next()));
  }

  @Test
  void a503KeyedRequestIsNotRememberedSoARetryWorks() throws Exception {
    String body = orderBody(USER, PEN, 1);
    String key = "key-" + UUID.randomUUID();
    stubs.down(RESERVE, RELEASE);
    try {
      assertError(f.postOrder(body, key), 503, "dependency_unavailable");
    } finally {
      stubs.up(RESERVE, RELEASE);
    }
    assertTrue(eventually(() -> f.postOrder(body, key).statusCode() == 201), "the retry with the key is served");
    HttpResponse<Buffer> replay = f.postOrder(body, key);
    assertEquals(201, replay.statusCode());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no release left pending");
    Set<String> holding = holdingStock();
    assertEquals(Set.of(replay.bodyAsJsonObject().getString("id")), holding, "only the created order holds stock");
  }

  /**
   * PostgreSQL paused (SIGSTOP, as {@code docker pause}) past the time a request waits: the request is answered 503,
   * and its key's claim, which lands when PostgreSQL resumes, is given back at once, so the client's retry with the
   * same key is served instead of finding the key held by nobody until the lease ends.
   */
  @Test
  void aKeyClaimedAfterItsRequestGaveUpIsGivenBackSoTheRetryIsServed() throws Exception {
    String body = orderBody(USER, PEN, 1);
    String key = "key-" + UUID.randomUUID();
    List<ProcessHandle> server = List.of(Processes.postmaster(f.postgres.dataDirectory()));
    assertTrue(server.get(0).isAlive(), "the postmaster of " + f.postgres.dataDirectory() + " runs");
    Processes.signalTrees("STOP", server);
    try {
      assertError(f.postOrder(body, key), 503, "dependency_unavailable");
    } finally {
      Processes.signalTrees("CONT", server);
    }
    // What PostgreSQL received while paused runs once it answers again: the request's claim of the key lands then.
    assertTrue(eventually(() -> f.count("SELECT 1") == 1), "PostgreSQL answers again");
    Thread.sleep(1_000);
    HttpResponse<Buffer> retry = f.postOrder(body, key);
    assertEquals(201, retry.statusCode(), retry.bodyAsString());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no release left pending");
  }

  /**
   * The same for a takeover of a stale claim (its owner presumed dead): held up past the time a request waits (here
   * by a row lock on the key), it lands after its request was answered 503, and is given back at once.
   */
  @Test
  void aTakeoverThatLandsAfterItsRequestGaveUpIsGivenBackSoTheRetryIsServed() {
    String body = orderBody(USER, PEN, 1);
    String key = "key-" + UUID.randomUUID();
    UUID firstOrderId = UUID.randomUUID();
    staleClaim(key, body, firstOrderId);
    SqlConnection locker = await(f.db.getConnection());
    try {
      Transaction tx = await(locker.begin());
      await(locker.preparedQuery("SELECT 1 FROM idempotency_keys WHERE key = $1 FOR UPDATE").execute(Tuple.of(key)));
      assertError(f.postOrder(body, key), 503, "dependency_unavailable");
      await(tx.commit()); // the takeover, waiting for the row, now lands
    } finally {
      locker.close();
    }
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM idempotency_keys WHERE key = $1", key) == 0),
        "the late takeover is given back");
    HttpResponse<Buffer> retry = f.postOrder(body, key);
    assertEquals(201, retry.statusCode(), retry.bodyAsString());
    assertTrue(stubs.requests(RESERVE).stream().noneMatch(r -> firstOrderId.toString().equals(r.getString("orderId"))),
        "the retry is a new claim, under a new order id");
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0),
        "the late takeover's intent went with it, the retry's with its order");
  }

  /**
   * A key whose owner died mid-order (its claim is older than the lease): the retry takes it over under a new order id
   * and is served. The old order id is left to its own release intent, which the retrier had taken long before the
   * lease ran out.
   */
  @Test
  void aStaleClaimIsTakenOverUnderANewOrderIdAndServed() {
    String body = orderBody(USER, PEN, 1);
    String key = "key-" + UUID.randomUUID();
    UUID deadOrderId = UUID.randomUUID();
    staleClaim(key, body, deadOrderId);
    // The dead owner's intent, leased by the retrier long ago (its grace is shorter than the lease).
    await(f.db.preparedQuery("INSERT INTO pending_releases (order_id, reason, next_attempt_at, attempts)"
        + " VALUES ($1, 'order in progress', now() + interval '1 hour', 1)").execute(Tuple.of(deadOrderId)));

    HttpResponse<Buffer> taken = f.postOrder(body, key);
    assertEquals(201, taken.statusCode(), taken.bodyAsString());
    String orderId = taken.bodyAsJsonObject().getString("id");
    assertTrue(!deadOrderId.toString().equals(orderId), "a new order id");
    HttpResponse<Buffer> replay = f.postOrder(body, key);
    assertEquals(201, replay.statusCode(), replay.bodyAsString());
    assertEquals(orderId, replay.bodyAsJsonObject().getString("id"));
    assertEquals("true", replay.getHeader("Idempotent-Replayed"));
    assertEquals(1, f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1", deadOrderId),
        "the old order id is left to its own intent");
    await(f.db.preparedQuery("DELETE FROM pending_releases WHERE order_id = $1").execute(Tuple.of(deadOrderId)));
  }

  /** What a request that died mid-order an hour ago left under {@code key}: its claim on {@code orderId}. */
  private static void staleClaim(String key, String body, UUID orderId) {
    await(f.db.preparedQuery("INSERT INTO idempotency_keys (key, request_hash, state, order_id, claim_token,"
        + " claimed_at) VALUES ($1, $2, 'in_progress', $3, $4, now() - interval '1 hour')")
        .execute(Tuple.of(key, CanonicalJson.fingerprint(new JsonObject(body)), orderId, UUID.randomUUID())));
  }

  @Test
  void cancelWhileProductServiceIsDownStillCancelsAndReleasesLater() throws Exception {
    HttpResponse<Buffer> created = f.postOrder(orderBody(USER, PEN, 4));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("id");
    assertEquals(Set.of(id), holdingStock());
    stubs.down(RESERVE, RELEASE);
    try {
      HttpResponse<Buffer> cancelled = f.cancel(id);
      assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
      assertEquals("CANCELLED", cancelled.bodyAsJsonObject().getString("status"));
      assertEquals(1, f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1", UUID.fromString(id)));
    } finally {
      stubs.up(RESERVE, RELEASE);
    }
    // The retry loop delivers the release once the product service is back (and its breaker lets calls through).
    assertTrue(eventually(() -> orderIds(RELEASE).contains(id)), "stock given back");
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases WHERE order_id = $1",
        UUID.fromString(id)) == 0), "pending release done");
    assertTrue(holdingStock().isEmpty());
  }

  @Test
  void aReserveThatTimesOutIsReleasedBecauseItMayHaveHappened() {
    // A product service that takes the reserve but answers too late, and takes releases.
    stubs.answer(RESERVE, request -> Answer.SILENCE);
    HttpResponse<Buffer> response = f.postOrder(orderBody(USER, PEN, 1));
    assertError(response, 503, "dependency_unavailable");
    assertEquals("1", response.getHeader("Retry-After"));
    List<String> reserved = stubs.requests(RESERVE).stream().map(r -> r.getString("orderId")).toList();
    assertEquals(1, reserved.size());
    // The answer does not wait for the release; it follows at once.
    assertTrue(eventually(() -> orderIds(RELEASE).equals(Set.copyOf(reserved))),
        "the reserve that may have happened is released");
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no release left pending");
    assertTrue(holdingStock().isEmpty());
  }
}
