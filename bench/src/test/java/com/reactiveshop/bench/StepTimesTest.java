package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The order path's time by step, from two scrapes of the system's metrics. */
class StepTimesTest {

  private static String scrape(double claimSum, int claims, double claimItems, double reserveSum, int reserves) {
    return String.join("\n",
        "# TYPE store_batch_item_duration_seconds histogram",
        "store_batch_item_duration_seconds_bucket{batch=\"idempotency_key_claim\",store=\"postgresql\",le=\"0.001\"} 1",
        "store_batch_item_duration_seconds_count{batch=\"idempotency_key_claim\",store=\"postgresql\"} " + claims,
        "store_batch_item_duration_seconds_sum{batch=\"idempotency_key_claim\",store=\"postgresql\"} " + claimSum,
        "store_batch_size_count{batch=\"idempotency_key_claim\",store=\"postgresql\"} " + claims / 2,
        "store_batch_size_sum{batch=\"idempotency_key_claim\",store=\"postgresql\"} " + claimItems,
        "store_batch_item_duration_seconds_count{batch=\"order_commit\",store=\"postgresql\"} 0",
        "store_batch_item_duration_seconds_sum{batch=\"order_commit\",store=\"postgresql\"} 0.0",
        "nats_client_request_duration_seconds_count{outcome=\"ok\",subject=\"products.reserve\"} " + reserves,
        "nats_client_request_duration_seconds_sum{outcome=\"ok\",subject=\"products.reserve\"} " + reserveSum,
        "nats_client_request_duration_seconds_count{outcome=\"timeout\",subject=\"products.reserve\"} 7",
        "nats_client_request_duration_seconds_sum{outcome=\"timeout\",subject=\"products.reserve\"} 14.0",
        "");
  }

  @Test
  void meansOverTheWindowInTheOrderAnOrderTakesTheStepsAndStepsThatDidNotRunLeftOut() {
    StepTimes.Snapshot before = StepTimes.parse(List.of(scrape(1.0, 100, 100, 5.0, 100)));
    // 100 more claims took 0.3 s in all, in 50 flushes of 100 items in all; 50 more answered reserves took 0.5 s.
    StepTimes.Snapshot after = StepTimes.parse(List.of(scrape(1.3, 200, 200, 5.5, 150)));
    JsonObject json = new JsonObject();
    String text = StepTimes.between(before, after, json);
    assertEquals("key claim 3.0 ms (batch 2.0), products.reserve 10.0 ms", text);
    assertEquals(100, json.getJsonObject("key claim").getLong("count"));
    assertEquals(2.0, json.getJsonObject("key claim").getDouble("meanBatch"), 1e-9);
  }

  @Test
  void aSeriesFoundInTheFirstScrapeIsNotTakenAgainFromTheNext() {
    StepTimes.Snapshot one = StepTimes.parse(List.of(scrape(1.0, 100, 100, 5.0, 100),
        scrape(9.0, 900, 900, 9.0, 900)));
    StepTimes.Snapshot later = StepTimes.parse(List.of(scrape(1.1, 110, 110, 5.0, 100)));
    assertEquals("key claim 10.0 ms (batch 2.0)", StepTimes.between(one, later, new JsonObject()));
  }
}
