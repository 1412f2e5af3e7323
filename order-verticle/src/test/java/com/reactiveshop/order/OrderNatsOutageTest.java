package com.reactiveshop.order;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nats-server goes away and comes back on the same port: orders get 503 meanwhile, and succeed again as soon as the
 * connection is back, although the breakers opened by the outage would stay open for minutes on their own.
 */
class OrderNatsOutageTest {

  static OrderServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    // Opens after 2 failures and would stay open for 10 minutes: only the reconnect can close it in this test.
    f = new OrderServiceFixture(new BreakerSettings(1_000, 2, 600_000));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void ordersResumeAsSoonAsNatsIsBack() {
    String userId = f.createUser("nats");
    String pen = f.createProduct("pen", 150, 100);
    String body = orderBody(userId, pen, 1);
    assertEquals(201, f.postOrder(body).statusCode());

    f.restartNats(() -> {
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> refused = f.postOrder(body);
        assertError(refused, 503, "dependency_unavailable");
      }
    });

    assertTrue(eventually(Duration.ofSeconds(30), () -> f.postOrder(body).statusCode() == 201),
        "orders succeed again once NATS is back, without waiting out the breakers' reset time");
    assertTrue(eventually(() -> f.stock(pen) == 100 - f.count("SELECT count(*) FROM orders")),
        "every unit that left stock is in a stored order");
  }
}
