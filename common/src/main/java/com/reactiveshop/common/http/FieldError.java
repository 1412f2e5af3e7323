package com.reactiveshop.common.http;

import io.vertx.core.json.JsonObject;

/** One entry of {@code details} in a {@code validation_failed} error: which field, and what is wrong with it. */
public record FieldError(String field, String message) {

  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("message", message);
  }
}
