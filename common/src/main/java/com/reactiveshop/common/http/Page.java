package com.reactiveshop.common.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.regex.Pattern;

/** {@code limit} (1..100, default 20) and {@code offset} (>= 0, default 0) of a list request, and its answer. */
public record Page(int limit, int offset) {

  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;
  private static final Pattern DIGITS = Pattern.compile("\\d{1,10}");

  public static Page of(RoutingContext ctx) {
    JsonArray details = new JsonArray();
    int limit = parse(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, details);
    int offset = parse(ctx, "offset", 0, 0, Integer.MAX_VALUE, details);
    if (!details.isEmpty()) {
      throw ApiError.validation(details);
    }
    return new Page(limit, offset);
  }

  private static int parse(RoutingContext ctx, String name, int fallback, int min, int max, JsonArray details) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return fallback;
    }
    String raw = values.get(0);
    long value = values.size() == 1 && DIGITS.matcher(raw).matches() ? Long.parseLong(raw) : -1;
    if (value < min || value > max) {
      details.add(new FieldError(name, "must be an integer from " + min + " to " + max).toJson());
      return fallback;
    }
    return (int) value;
  }

  public JsonObject answer(List<JsonObject> items, long total) {
    return new JsonObject().put("items", new JsonArray(List.copyOf(items))).put("total", total)
        .put("limit", limit).put("offset", offset);
  }
}
