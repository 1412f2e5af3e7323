package com.reactiveshop.nats;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One endpoint of a NATS micro service: its name in {@code nats micro info}, its subject, its handler. The handler
 * answers a JSON object ({@code handler}), or JSON bytes it already has ({@code encodedHandler}, e.g. a cached
 * document), which are sent as they are; exactly one of the two is set.
 */
public record NatsEndpoint(String name, String subject, NatsRequestHandler handler, EncodedHandler encodedHandler) {

  /** Answers one request with JSON bytes, on the owning verticle's event loop (fail with an ApiError as usual). */
  @FunctionalInterface
  public interface EncodedHandler {
    Future<Buffer> handle(JsonObject request);
  }

  public NatsEndpoint {
    if ((handler == null) == (encodedHandler == null)) {
      throw new IllegalArgumentException("an endpoint has exactly one handler");
    }
  }

  public NatsEndpoint(String name, String subject, NatsRequestHandler handler) {
    this(name, subject, handler, null);
  }

  /** An endpoint whose replies are already encoded: nothing is encoded per request. */
  public static NatsEndpoint encoded(String name, String subject, EncodedHandler handler) {
    return new NatsEndpoint(name, subject, null, handler);
  }

  /** The reply to {@code request}, as JSON bytes. */
  Future<Buffer> reply(JsonObject request) {
    if (encodedHandler != null) {
      return encodedHandler.handle(request);
    }
    Future<JsonObject> reply = handler.handle(request);
    return reply == null ? null : reply.map(JsonObject::toBuffer);
  }
}
