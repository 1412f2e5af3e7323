package com.reactiveshop.common.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.ParsedHeaderValue;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;

/** Turns request bodies (HTTP or NATS) into JSON objects, with the contract's 400 and 415 answers. */
public final class JsonRequests {

  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

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
    // Vert.x's own decoder tolerates comments and repeated keys (the last one wins); a client sending either has made
    // a mistake we should not guess about, so the payload is decoded by Vert.x's codec over a strict parser.
    try (JsonParser parser = STRICT.createParser(payload.getBytes())) {
      value = JacksonCodec.fromParser(parser, Object.class);
    } catch (DecodeException | IOException e) {
      throw ApiError.validation("The body is not valid JSON.");
    }
    if (!(value instanceof JsonObject object)) {
      throw ApiError.validation("The body must be a JSON object.");
    }
    return object;
  }
}
