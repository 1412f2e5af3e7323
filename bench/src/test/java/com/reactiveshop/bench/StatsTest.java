package com.reactiveshop.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {

  @Test
  void nearestRankPercentiles() {
    long[] values = new long[100];
    for (int i = 0; i < 100; i++) {
      values[i] = 100 - i; // 100..1, unsorted
    }
    assertEquals(50, Stats.percentile(values, 50));
    assertEquals(99, Stats.percentile(values, 99));
    assertEquals(100, Stats.percentile(values, 100));
    assertEquals(1, Stats.percentile(values, 0.5));
    assertEquals(1, Stats.percentile(values, 0));
    assertEquals(7, Stats.percentile(new long[] {7}, 99));
    assertTrue(Double.isNaN(Stats.percentile(new long[0], 50)));
  }

  @Test
  void percentileOfAFewValuesRoundsUp() {
    // 10 values: p99 is the 10th, p50 the 5th, p90 the 9th
    long[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(10, Stats.percentile(values, 99));
    assertEquals(5, Stats.percentile(values, 50));
    assertEquals(9, Stats.percentile(values, 90));
  }

  @Test
  void recorderReportsMilliseconds() {
    LatencyRecorder r = new LatencyRecorder();
    for (int i = 1; i <= 1000; i++) {
      r.record(i * 1_000_000L); // 1..1000 ms
    }
    assertEquals(1000, r.count());
    assertEquals(500.0, r.percentileMs(50));
    assertEquals(990.0, r.percentileMs(99));
    assertEquals(1000.0, r.maxMs());
    r.record(5_000_000_000L);
    assertEquals(5000.0, r.maxMs()); // re-sorts after a new value
    assertTrue(Double.isNaN(new LatencyRecorder().percentileMs(99)));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(3.0, Stats.median(List.of(5.0, 1.0, 3.0)));
    assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
    assertEquals(200.0, Stats.median(List.of(100.0, 400.0, 200.0, 250.0, 150.0)));
    assertTrue(Double.isNaN(Stats.median(List.of())));
  }

  @Test
  void ratiosAndMeans() {
    assertEquals(0.25, Stats.ratio(250, 1000), 1e-12);
    assertTrue(Double.isNaN(Stats.ratio(250, 0)));
    assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 10)));
    assertTrue(Double.isNaN(Stats.ratio(5, Double.NaN)));
    assertEquals(15.0, Stats.meanOfKnown(10, 20));
    assertEquals(10.0, Stats.meanOfKnown(10, Double.NaN));
    assertTrue(Double.isNaN(Stats.meanOfKnown(Double.NaN, Double.NaN)));
  }

  @Test
  void commandDeltasLeaveOutHousekeeping() {
    Map<String, Long> before = Map.of("find", 10L, "update", 5L, "isMaster", 100L, "hello", 3L, "insert", 1L);
    Map<String, Long> after = Map.of("find", 30L, "update", 25L, "isMaster", 180L, "hello", 9L, "insert", 1L,
        "findAndModify", 20L, "serverStatus", 2L, "ping", 7L, "endSessions", 1L);
    Map<String, Long> deltas = Stats.commandDeltas(before, after);
    assertEquals(Map.of("find", 20L, "update", 20L, "findAndModify", 20L), deltas);
    assertEquals(60, Stats.sum(deltas));
    assertEquals(3.0, Stats.perOrder(Stats.sum(deltas), 20));
    assertTrue(Double.isNaN(Stats.perOrder(5, 0)));
  }
}
