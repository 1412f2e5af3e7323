package com.reactiveshop.common.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * An error a client is meant to see: an HTTP-like status, a fixed snake_case code, a human sentence and optional
 * details. The same value is written as an HTTP response and as a NATS error reply, so both speak one error model:
 * {@code {"error": {"code", "message", "details"?}}}.
 */
public class ApiError extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonArray details;
  private final Map<String, String> headers;

  public ApiError(int status, String code, String message) {
    this(status, code, message, null, Map.of());
  }

  public ApiError(int status, String code, String message, JsonArray details, Map<String, String> headers) {
    // No stack trace: these are expected outcomes on hot paths, not bugs.
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static ApiError validation(JsonArray details) {
    return new ApiError(400, "validation_failed", "The request is not valid.", details, Map.of());
  }

  public static ApiError validation(String message) {
    return new ApiError(400, "validation_failed", message);
  }

  public static ApiError notFound(String code, String message) {
    return new ApiError(404, code, message);
  }

  public static ApiError unavailable(String code, String message, int retryAfterSeconds) {
    return new ApiError(503, code, message, null, Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
  }

  /** Rebuilds an error from its JSON body (as received in a NATS error reply); null when the body is not one. */
  public static ApiError fromJson(int status, JsonObject body) {
    JsonObject error = body == null ? null : body.getJsonObject("error");
    if (error == null || !(error.getValue("code") instanceof String code)) {
      return null;
    }
    Object details = error.getValue("details");
    return new ApiError(status, code, error.getString("message", code),
        details instanceof JsonArray array ? array : null, Map.of());
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonArray details() {
    return details;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public JsonObject toJson() {
    JsonObject error = new JsonObject().put("code", code).put("message", getMessage());
    if (details != null) {
      error.put("details", details);
    }
    return new JsonObject().put("error", error);
  }
}
