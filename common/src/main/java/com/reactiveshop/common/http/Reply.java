package com.reactiveshop.common.http;

import com.reactiveshop.common.tracing.CurrentSpan;
import com.reactiveshop.common.tracing.Tracing;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * What a route answers: a status, an optional JSON body and extra headers. The body is a JSON object, or JSON bytes
 * encoded before ({@code encoded}, e.g. a cached document), which are written as they are. An error body written
 * while a traced request is handled gets {@code error.traceId} (CONTRACT.md), added as it is written: stored answers
 * (idempotent replays) never keep the trace of the request that first produced them.
 */
public record Reply(int status, JsonObject body, Map<String, String> headers, Buffer encoded) {

  public Reply(int status, JsonObject body, Map<String, String> headers) {
    this(status, body, headers, null);
  }

  /** A reply whose body is already encoded JSON. */
  public static Reply encoded(int status, Buffer json, Map<String, String> headers) {
    return new Reply(status, null, headers, json);
  }

  public static Reply ok(JsonObject body) {
    return new Reply(200, body, Map.of());
  }

  public static Reply noContent() {
    return new Reply(204, null, Map.of());
  }

  public static Reply error(ApiError error) {
    return new Reply(error.status(), error.toJson(), error.headers());
  }

  public void writeTo(HttpServerResponse response) {
    if (response.ended()) {
      return;
    }
    MultiMap out = response.headers();
    headers.forEach(out::set);
    response.setStatusCode(status);
    if (body == null && encoded == null) {
      response.end();
    } else {
      out.set("Content-Type", "application/json");
      response.end(encoded != null ? encoded
          : (status >= 400 && Tracing.active() ? withTraceId(body) : body).toBuffer());
    }
  }

  /** The error body with {@code error.traceId} of the current request, when it is traced; else the body itself. */
  public static JsonObject withTraceId(JsonObject body) {
    String traceId = CurrentSpan.traceId();
    if (traceId == null || !(body.getValue("error") instanceof JsonObject error)) {
      return body;
    }
    return body.copy().put("error", error.copy().put("traceId", traceId));
  }
}
