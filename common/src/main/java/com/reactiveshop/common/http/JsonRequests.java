package com.reactiveshop.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.ParsedHeaderValue;

/** Turns request bodies (HTTP or NATS) into JSON objects, with the contract's 400 and 415 answers. */
public final class JsonRequests {

  private JsonRequests() {
  }

  /** The HTTP body as a JSON object: 415 unless sent as application/json, 400 unless a JSON object. */
  public static JsonObject body(RoutingContext ctx) {
    ParsedHeaderValue contentType = ctx.parsedHeaders().contentType();
    String type = contentType == null ? null : contentType.value();
    if (type == null || !type.trim().equalsIgnoreCase("application/json")) {
      throw new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
    }
    return object(ctx.body() == null ? null : ctx.body().buffer());
  }

  /** Any payload as a JSON object, or a 400 {@code validation_failed}. */
  public static JsonObject object(Buffer payload) {
    if (payload == null || payload.length() == 0) {
      throw ApiError.validation("The body must be a JSON object.");
    }
    Object value;
    try {
      value = Json.decodeValue(payload);
    } catch (DecodeException e) {
      throw ApiError.validation("The body is not valid JSON.");
    }
    if (!(value instanceof JsonObject object)) {
      throw ApiError.validation("The body must be a JSON object.");
    }
    return object;
  }
}
