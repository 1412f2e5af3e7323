package com.reactiveshop.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OpenLoopTest {

  private Vertx vertx;
  private HttpServer server;
  private final AtomicLong served = new AtomicLong();

  @BeforeEach
  void startServer() {
    vertx = Vertx.vertx();
    server = Http.await(vertx.createHttpServer().requestHandler(request -> {
      served.incrementAndGet();
      request.response().setStatusCode(201).end("{}");
    }).listen(0, "127.0.0.1"), 10);
  }

  @AfterEach
  void stop() {
    Http.await(vertx.close(), 10);
  }

  @Test
  void theWarmUpIsSentButOnlyTheMeasuredSecondsAreRecorded() {
    OpenLoop.Result r = OpenLoop.run(vertx, "http://127.0.0.1:" + server.actualPort(), 100, 1, 2, 8, 64,
        i -> new OpenLoop.Request(HttpMethod.POST, "/api/orders", MultiMap.caseInsensitiveMultiMap(),
            Buffer.buffer("{}")));

    assertEquals(300, served.get(), "warm-up and measured requests all reach the server");
    assertEquals(200, r.intended());
    assertEquals(200, r.answered());
    assertEquals(Map.of("201", 200L), r.statuses());
    assertEquals(0, r.unsent() + r.unfinished());
    assertEquals(2, r.toJson().getJsonArray("worstMsBySecond").size(), "one slowest answer per measured second");
  }
}
