package com.reactiveshop.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in service instance on 127.0.0.1: answers every request with what it received (method, URI, the
 * Idempotency-Key header, the body) and its own name, so tests can see where the gateway sent a request and how.
 */
final class StubService {

  final String name;
  final AtomicInteger hits = new AtomicInteger();
  private HttpServer server;

  private StubService(String name) {
    this.name = name;
  }

  static Future<StubService> start(Vertx vertx, String name) {
    StubService stub = new StubService(name);
    return vertx.createHttpServer()
        .requestHandler(request -> request.body().onSuccess(body -> {
          stub.hits.incrementAndGet();
          JsonObject echo = new JsonObject()
              .put("instance", name)
              .put("method", request.method().name())
              .put("uri", request.uri())
              .put("idempotencyKey", request.getHeader("Idempotency-Key"))
              .put("contentType", request.getHeader("Content-Type"))
              .put("body", body.toString());
          request.response()
              .setStatusCode("POST".equals(request.method().name()) ? 201 : 200)
              .putHeader("Content-Type", "application/json")
              .putHeader("X-Instance", name)
              .putHeader("Location", "/api/users/0123456789abcdef01234567")
              .end(echo.toBuffer());
        }))
        .listen(0, "127.0.0.1")
        .map(server -> {
          stub.server = server;
          return stub;
        });
  }

  int port() {
    return server.actualPort();
  }
}
