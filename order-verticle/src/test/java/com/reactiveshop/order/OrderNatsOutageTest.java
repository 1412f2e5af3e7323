package com.reactiveshop.order;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nats-server goes away and comes back on the same port: orders get 503 meanwhile, and succeed again as soon as the
 * connection is back, although the breakers opened by the outage would stay open for minutes on their own. The user and
 * product services are stubbed ({@link StubServices}, on a connection that reconnects too); the stock an order holds is
 * what was reserved for it and not released.
 */
class OrderNatsOutageTest {

  static OrderServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    // Opens after 2 failures and would stay open for 10 minutes: only the reconnect can close it in this test.
    f = OrderServiceFixture.withStubbedServices(new BreakerSettings(1_000, 2, 600_000));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /** The order ids reserved for and not released. */
  private static Set<String> holdingStock() {
    Set<String> holding = orderIds(StubServices.RESERVE);
    holding.removeAll(orderIds(StubServices.RELEASE));
    return holding;
  }

  private static Set<String> orderIds(String subject) {
    return f.stubs.requests(subject).stream().map(r -> r.getString("orderId")).collect(Collectors.toSet());
  }

  private static Set<String> storedOrders() {
    Set<String> ids = new HashSet<>();
    await(f.db.query("SELECT id::text FROM orders").execute()).forEach(row -> ids.add(row.getString(0)));
    return ids;
  }

  @Test
  void ordersResumeAsSoonAsNatsIsBack() {
    String body = orderBody("aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", 1);
    assertEquals(201, f.postOrder(body).statusCode());

    f.restartNats(() -> {
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> refused = f.postOrder(body);
        assertError(refused, 503, "dependency_unavailable");
      }
    });

    assertTrue(eventually(Duration.ofSeconds(30), () -> f.postOrder(body).statusCode() == 201),
        "orders succeed again once NATS is back, without waiting out the breakers' reset time");
    assertTrue(eventually(() -> holdingStock().equals(storedOrders())),
        "every unit that left stock is in a stored order");
  }
}
