package com.reactiveshop.common.logging;

import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per HTTP request and per NATS request a service handled, on the loggers {@code access.http} and
 * {@code access.nats} at INFO: method (or subject), route, status, duration and the request's trace and span ids, as
 * key-value pairs (fields of their own in JSON logs).
 * <p>
 * Off unless switched on ({@link #enable}: the launcher does for {@code ACCESS_LOG=true}): at benchmark rates a line per
 * request is a measurable share of the work, and most local runs do not want it. Routers and micro services read
 * {@link #enabled()} once when they are built, so while it is off a request pays nothing for it.
 */
public final class AccessLog {

  public static final Logger HTTP = LoggerFactory.getLogger("access.http");
  public static final Logger NATS = LoggerFactory.getLogger("access.nats");

  private static volatile boolean switchedOn;

  private AccessLog() {
  }

  /** Whether access lines are written (for routers and micro services built from now on). */
  public static boolean enabled() {
    return switchedOn && (HTTP.isInfoEnabled() || NATS.isInfoEnabled());
  }

  /** Switches access lines on or off for routers and micro services built from now on (tests, embedding). */
  public static void enable(boolean on) {
    switchedOn = on;
  }

  /** An HTTP request answered: {@code route} is the template that matched (null: none did). */
  public static void http(String method, String path, String route, int status, long startNanos, SpanContext span) {
    if (!HTTP.isInfoEnabled()) {
      return;
    }
    double millis = millisSince(startNanos);
    LoggingEventBuilder line = HTTP.atInfo()
        .addKeyValue("method", method)
        .addKeyValue("route", route == null ? "unmatched" : route)
        .addKeyValue("status", status)
        .addKeyValue("duration_ms", millis);
    traced(line, span).log("{} {} {} {} ms", method, path, status, millis);
  }

  /** A NATS request {@code service} answered with {@code status} (HTTP-like: 200, or the error reply's). */
  public static void nats(String service, String subject, int status, long startNanos, SpanContext span) {
    if (!NATS.isInfoEnabled()) {
      return;
    }
    double millis = millisSince(startNanos);
    LoggingEventBuilder line = NATS.atInfo()
        .addKeyValue("subject", subject)
        .addKeyValue("status", status)
        .addKeyValue("duration_ms", millis);
    traced(line, span).log("{} {} {} {} ms", service, subject, status, millis);
  }

  private static LoggingEventBuilder traced(LoggingEventBuilder line, SpanContext span) {
    return span == null || !span.isValid() ? line
        : line.addKeyValue(LogFields.TRACE_ID, span.getTraceId()).addKeyValue(LogFields.SPAN_ID, span.getSpanId());
  }

  /** Milliseconds with microsecond resolution. */
  private static double millisSince(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1_000.0) / 1_000.0;
  }
}
