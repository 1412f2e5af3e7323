package com.reactiveshop.nats;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Answers one NATS request, on the owning verticle's event loop. Fail (or throw) with
 * {@link com.reactiveshop.common.http.ApiError} to send the contract's error reply.
 */
@FunctionalInterface
public interface NatsRequestHandler {

  Future<JsonObject> handle(JsonObject request);
}
