package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChartTest {

  private static final JsonObject RESULTS = new JsonObject("""
      {"targets": {"openLoopP99Ms": 50, "flashMedianWallMs": 300, "mongoCommandsPerOrder": 3,
                   "pgTransactionsPerOrder": 1},
       "http": {"GET /api/products/{id}": {"ratio": 0.15}, "GET /api/users/{id}": {"ratio": 0.3},
                "POST /api/orders": {"ratio": 0.005}},
       "nats": {"products.get": {"ratio": 0.14}, "users.get": {"ratio": null}},
       "stores": {"mongo": {"commandsPerOrder": null, "note": "serverStatus has no opcountersByCommand"},
                  "postgresql": {"transactionsPerOrder": 2.0}},
       "openLoop": {"p99MsFromIntended": 25.0},
       "flashSale": {"medianWallMs": 450.0}}
      """);

  @Test
  void ratiosInRunOrderWithShortNames() {
    Map<String, Double> bars = Chart.ratioBars(RESULTS);
    assertEquals(List.of("GET product", "GET user", "POST order", "products.get (NATS)"), List.copyOf(bars.keySet()));
    assertEquals(0.005, bars.get("POST order"));
  }

  @Test
  void targetsAsMeasuredOverTargetLeavingOutUnknowns() {
    Map<String, Double> bars = Chart.targetBars(RESULTS);
    assertEquals(Map.of("PG xacts/order", 2.0, "open-loop p99", 0.5, "flash median wall", 1.5), bars);
  }
}
