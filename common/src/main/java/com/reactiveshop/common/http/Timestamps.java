package com.reactiveshop.common.http;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** API timestamps: ISO-8601 UTC with millisecond precision, the same in every service. */
public final class Timestamps {

  private Timestamps() {
  }

  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
