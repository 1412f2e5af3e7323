package com.reactiveshop.common.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every API timestamp has one shape: UTC, three fraction digits, also when they are zero. */
class TimestampsTest {

  @Test
  void aWholeSecondKeepsItsThreeFractionDigits() {
    assertEquals("2026-12-01T04:19:21.000Z", Timestamps.format(Instant.parse("2026-12-01T04:19:21Z")));
  }

  @Test
  void finerPrecisionIsTruncatedToTheMillisecond() {
    assertEquals("2026-12-01T04:19:21.120Z", Timestamps.format(Instant.parse("2026-12-01T04:19:21.12Z")));
    assertEquals("2026-12-01T04:19:21.123Z", Timestamps.format(Instant.parse("2026-12-01T04:19:21.123999Z")));
  }

  @Test
  void nowHasTheSameShape() {
    String now = Timestamps.now();
    assertTrue(now.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"), now);
  }
}
