package com.reactiveshop.common.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * API timestamps: ISO-8601 UTC with exactly three fraction digits, the same in every service. {@link Instant#toString}
 * drops a fraction that is zero ({@code 12:00:00Z}), so one timestamp in a thousand would have had another shape.
 */
public final class Timestamps {

  private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private Timestamps() {
  }

  public static String now() {
    return format(Instant.now());
  }

  /** {@code instant} to the millisecond (truncated), as the API shows it. */
  public static String format(Instant instant) {
    return MILLIS.format(instant);
  }
}
