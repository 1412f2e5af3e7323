package com.reactiveshop.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider.VertxContextStorage;

import java.util.HashMap;
import java.util.Map;

/**
 * The span of the request being handled on the current Vert.x context (Vert.x keeps it in the context's local data,
 * so requests interleaved on one event loop each see their own). Every method answers null, at the cost of one
 * static read, while no Vert.x instance traces.
 */
public final class CurrentSpan {

  private CurrentSpan() {
  }

  /** The current OpenTelemetry context (null when none), read from the Vert.x context. */
  public static Context context() {
    return Tracing.active() ? VertxContextStorage.INSTANCE.current() : null;
  }

  /** The current span, or null when there is none. */
  public static Span span() {
    Context context = context();
    Span span = context == null ? null : Span.fromContextOrNull(context);
    return span != null && span.getSpanContext().isValid() ? span : null;
  }

  /** The current span's ids, or null. */
  public static SpanContext ids() {
    Span span = span();
    return span == null ? null : span.getSpanContext();
  }

  /** The current trace id (32 hex characters), or null. */
  public static String traceId() {
    SpanContext ids = ids();
    return ids == null ? null : ids.getTraceId();
  }

  /**
   * The current span as a W3C {@code traceparent} value ({@code 00-<trace id>-<span id>-<flags>}), to be kept with work
   * that continues later (an outbox event); null when there is no current span.
   */
  public static String traceparent() {
    Context context = context();
    if (context == null || span() == null) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>(4);
    W3CTraceContextPropagator.getInstance().inject(context, carrier, Map::put);
    return carrier.get("traceparent");
  }

  /**
   * Names the current (server) span after the route that matched, e.g. {@code POST /api/orders/:id/cancel}: Vert.x
   * names it after the method only.
   */
  public static void route(String spanName, String route) {
    Span span = span();
    if (span != null) {
      span.updateName(spanName);
      span.setAttribute("http.route", route);
    }
  }
}
