package com.reactiveshop.common.health;

import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code GET /health/live} (the process runs) and {@code GET /health/ready} (every check answers in time). */
public final class HealthRoutes {

  private static final long PROBE_TIMEOUT_MS = 2_000;

  private HealthRoutes() {
  }

  public static void mount(ApiRouter router, List<HealthCheck> checks) {
    router.get("/health/live", ctx -> Future.succeededFuture(Reply.ok(new JsonObject().put("status", "UP"))));
    router.get("/health/ready", ctx -> ready(checks));
  }

  private static Future<Reply> ready(List<HealthCheck> checks) {
    List<Future<JsonObject>> results = checks.stream().map(HealthRoutes::run).toList();
    return Future.join(results).transform(ignored -> {
      JsonArray entries = new JsonArray();
      boolean up = true;
      for (Future<JsonObject> result : results) {
        entries.add(result.result());
        up &= "UP".equals(result.result().getString("status"));
      }
      JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", entries);
      return Future.succeededFuture(new Reply(up ? 200 : 503, body, Map.of()));
    });
  }

  /** Never fails: a probe that fails or hangs is reported DOWN with the reason. */
  private static Future<JsonObject> run(HealthCheck check) {
    Future<JsonObject> probe;
    try {
      probe = check.probe().get();
    } catch (RuntimeException e) {
      probe = Future.failedFuture(e);
    }
    return probe.timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).transform(ar -> {
      JsonObject entry = new JsonObject().put("name", check.name());
      if (ar.succeeded()) {
        entry.put("status", "UP");
        if (ar.result() != null) {
          entry.mergeIn(ar.result());
        }
      } else {
        entry.put("status", "DOWN").put("error", String.valueOf(ar.cause().getMessage()));
      }
      return Future.succeededFuture(entry);
    });
  }
}
