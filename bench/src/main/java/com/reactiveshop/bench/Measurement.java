package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * One closed-loop load run: answers per second over the measured window, latency percentiles in milliseconds,
 * answers by status ("201", "409", or an error name such as "timeout"), and transport errors.
 */
public record Measurement(double perSecond, double p50Ms, double p90Ms, double p99Ms, double maxMs, long answers,
                          double seconds, Map<String, Long> statuses, Map<String, Long> errors) {

  public long status(String status) {
    return statuses.getOrDefault(status, 0L);
  }

  /** Answers with a status in [from, to). */
  public long statusRange(int from, int to) {
    long n = 0;
    for (var e : statuses.entrySet()) {
      try {
        int code = Integer.parseInt(e.getKey());
        if (code >= from && code < to) {
          n += e.getValue();
        }
      } catch (NumberFormatException ignored) {
        // not an HTTP-like status
      }
    }
    return n;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** "201=1234 409=2" and the transport errors that were not zero. */
  public String statusText() {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(statuses).forEach((k, v) -> out.append(out.length() == 0 ? "" : " ").append(k).append('=').append(v));
    errors.forEach((k, v) -> {
      if (v > 0) {
        out.append(out.length() == 0 ? "" : " ").append(k).append('=').append(v);
      }
    });
    return out.toString();
  }

  public JsonObject toJson() {
    JsonObject s = new JsonObject();
    new TreeMap<>(statuses).forEach(s::put);
    JsonObject e = new JsonObject();
    errors.forEach(e::put);
    return new JsonObject().put("perSecond", Json.num(perSecond)).put("p50Ms", Json.num(p50Ms))
        .put("p90Ms", Json.num(p90Ms)).put("p99Ms", Json.num(p99Ms)).put("maxMs", Json.num(maxMs))
        .put("answers", answers).put("seconds", Json.num(seconds)).put("statuses", s).put("errors", e);
  }
}
