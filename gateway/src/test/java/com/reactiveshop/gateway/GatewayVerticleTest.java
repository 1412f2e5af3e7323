package com.reactiveshop.gateway;

import com.reactiveshop.common.discovery.Discovery;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.types.HttpEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway against stub instances published in Vert.x's in-process discovery backend. */
@ExtendWith(VertxExtension.class)
class GatewayVerticleTest {

  private Vertx vertx;
  private ServiceDiscovery publisher;
  private WebClient http;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.publisher = Discovery.create(vertx, new JsonObject());
    this.http = WebClient.create(vertx);
  }

  private Future<Record> publish(String name, int port, String api) {
    return publisher.publish(HttpEndpoint.createRecord(name, "127.0.0.1", port, "/", new JsonObject().put("api", api)));
  }

  private Future<Integer> gateway() {
    GatewayVerticle gateway = new GatewayVerticle("127.0.0.1", 0, new JsonObject(), null);
    return vertx.deployVerticle(gateway).map(id -> gateway.actualPort());
  }

  private Future<HttpResponse<Buffer>> get(int port, String path) {
    return http.get(port, "127.0.0.1", path).send();
  }

  @Test
  void passesMethodPathHeadersAndBodyThroughAndTheAnswerBack(VertxTestContext test) {
    JsonObject body = new JsonObject().put("name", "Ada").put("email", "ada@example.com");
    StubService.start(vertx, "users-1")
        .compose(stub -> publish("user-service", stub.port(), "/api/users"))
        .compose(record -> gateway())
        .compose(port -> http.post(port, "127.0.0.1", "/api/users/abc?limit=5&offset=0")
            .putHeader("Content-Type", "application/json")
            .putHeader("Idempotency-Key", "key-42")
            .sendBuffer(body.toBuffer()))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(201, response.statusCode());
          assertEquals("users-1", response.getHeader("X-Instance"));
          assertEquals("/api/users/0123456789abcdef01234567", response.getHeader("Location"));
          assertEquals("application/json", response.getHeader("Content-Type"));
          JsonObject echo = response.bodyAsJsonObject();
          assertEquals("POST", echo.getString("method"));
          assertEquals("/api/users/abc?limit=5&offset=0", echo.getString("uri"));
          assertEquals("key-42", echo.getString("idempotencyKey"));
          assertEquals("application/json", echo.getString("contentType"));
          assertEquals(body, new JsonObject(echo.getString("body")));
          test.completeNow();
        })));
  }

  @Test
  void spreadsRequestsRoundRobinOverDistinctEndpoints(VertxTestContext test) {
    List<StubService> stubs = new ArrayList<>();
    Future.all(StubService.start(vertx, "products-a"), StubService.start(vertx, "products-b"))
        .compose(started -> {
          stubs.add(started.resultAt(0));
          stubs.add(started.resultAt(1));
          // Two records for the same instance (two verticles on one port) must not double its share.
          return Future.all(publish("product-service", stubs.get(0).port(), "/api/products"),
              publish("product-service", stubs.get(0).port(), "/api/products"),
              publish("product-service", stubs.get(1).port(), "/api/products"));
        })
        .compose(records -> gateway())
        .compose(port -> sequentially(6, () -> get(port, "/api/products")))
        .onComplete(test.succeeding(responses -> test.verify(() -> {
          responses.forEach(response -> assertEquals(200, response.statusCode()));
          assertEquals(3, stubs.get(0).hits.get(), "products-a");
          assertEquals(3, stubs.get(1).hits.get(), "products-b");
          test.completeNow();
        })));
  }

  @Test
  void answers503WhenNoInstanceIsPublished(VertxTestContext test) {
    gateway()
        .compose(port -> get(port, "/api/orders/some-id"))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(503, response.statusCode());
          assertEquals("application/json", response.getHeader("Content-Type"));
          assertEquals("service_unavailable", response.bodyAsJsonObject().getJsonObject("error").getString("code"));
          test.completeNow();
        })));
  }

  @Test
  void retriesOnceOnAnotherInstanceWhenOneRefusesTheConnection(VertxTestContext test) {
    int deadPort = unusedPort();
    StubService.start(vertx, "orders-live")
        .compose(stub -> Future.all(publish("order-service", deadPort, "/api/orders"),
            publish("order-service", stub.port(), "/api/orders")))
        .compose(records -> gateway())
        .compose(port -> sequentially(4, () -> get(port, "/api/orders")))
        .onComplete(test.succeeding(responses -> test.verify(() -> {
          responses.forEach(response -> assertEquals("orders-live", response.getHeader("X-Instance")));
          test.completeNow();
        })));
  }

  @Test
  void answers503WhenTheOnlyInstanceRefusesTheConnection(VertxTestContext test) {
    publish("order-service", unusedPort(), "/api/orders")
        .compose(record -> gateway())
        .compose(port -> get(port, "/api/orders"))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(503, response.statusCode());
          assertEquals("service_unavailable", response.bodyAsJsonObject().getJsonObject("error").getString("code"));
          test.completeNow();
        })));
  }

  @Test
  void leavesTheBodyLimitToTheService(VertxTestContext test) {
    // A service built on ApiRouter, which enforces the 64 KiB limit itself.
    ApiRouter router = ApiRouter.create(vertx);
    router.post("/api/users", ctx -> Future.succeededFuture(Reply.ok(new JsonObject())));
    Buffer oversize = Buffer.buffer("{\"name\":\"" + "x".repeat(ApiRouter.BODY_LIMIT_BYTES + 10) + "\"}");
    vertx.createHttpServer().requestHandler(router.build()).listen(0, "127.0.0.1")
        .compose(server -> publish("user-service", server.actualPort(), "/api/users"))
        .compose(record -> gateway())
        .compose(port -> http.post(port, "127.0.0.1", "/api/users")
            .putHeader("Content-Type", "application/json").sendBuffer(oversize))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(413, response.statusCode());
          assertEquals("payload_too_large", response.bodyAsJsonObject().getJsonObject("error").getString("code"));
          test.completeNow();
        })));
  }

  @Test
  void listsTheRecordsDiscoveryHolds(VertxTestContext test) {
    List<String> registrations = new ArrayList<>();
    StubService.start(vertx, "users-1")
        .compose(stub -> Future.all(publish("user-service", stub.port(), "/api/users"),
            publish("product-service", stub.port(), "/api/products")))
        .compose(records -> {
          registrations.add(((Record) records.resultAt(0)).getRegistration());
          registrations.add(((Record) records.resultAt(1)).getRegistration());
          return gateway();
        })
        .compose(port -> Future.all(get(port, "/api/services"), get(port, "/api/services?limit=1&offset=1"),
            get(port, "/api/services?limit=0")))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          HttpResponse<Buffer> response = all.resultAt(0);
          assertEquals(200, response.statusCode());
          JsonObject page = ((HttpResponse<Buffer>) all.resultAt(1)).bodyAsJsonObject();
          assertEquals(2, page.getInteger("total"));
          assertEquals(1, page.getJsonArray("items").size());
          assertEquals(1, page.getInteger("offset"));
          assertEquals(400, ((HttpResponse<Buffer>) all.resultAt(2)).statusCode());
          JsonArray items = response.bodyAsJsonObject().getJsonArray("items");
          Set<String> listed = items.stream().map(item -> ((JsonObject) item).getString("registration"))
              .collect(Collectors.toSet());
          assertEquals(Set.copyOf(registrations), listed);
          JsonObject first = items.getJsonObject(0);
          assertEquals("http-endpoint", first.getString("type"));
          assertTrue(first.getJsonObject("metadata").containsKey("api"));
          test.completeNow();
        })));
  }

  @Test
  void servesItsOwnRoutesAndLeavesOtherPathsToTheRouter(VertxTestContext test) {
    gateway()
        .compose(port -> Future.all(get(port, "/health/live"), get(port, "/api/usersx"),
            http.request(HttpMethod.DELETE, port, "127.0.0.1", "/api/services").send()))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          HttpResponse<Buffer> live = all.resultAt(0);
          HttpResponse<Buffer> unknown = all.resultAt(1);
          HttpResponse<Buffer> wrongMethod = all.resultAt(2);
          assertEquals(200, live.statusCode());
          assertEquals("UP", live.bodyAsJsonObject().getString("status"));
          assertEquals(404, unknown.statusCode());
          assertEquals("not_found", unknown.bodyAsJsonObject().getJsonObject("error").getString("code"));
          assertEquals(405, wrongMethod.statusCode());
          test.completeNow();
        })));
  }

  /** Runs {@code count} requests one after another (so the round-robin order is deterministic). */
  private static Future<List<HttpResponse<Buffer>>> sequentially(int count,
      java.util.function.Supplier<Future<HttpResponse<Buffer>>> request) {
    List<HttpResponse<Buffer>> responses = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(v -> request.get().map(response -> {
        responses.add(response);
        return null;
      }));
    }
    return chain.map(v -> responses);
  }

  /** A loopback port nothing listens on (bound, then released). */
  private static int unusedPort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
