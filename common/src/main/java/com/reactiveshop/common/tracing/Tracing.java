package com.reactiveshop.common.tracing;

import com.reactiveshop.common.metrics.Metrics;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;

/**
 * Tracing with OpenTelemetry, switched per Vert.x instance. A traced Vert.x ({@link #newVertx}) has Vert.x's own
 * OpenTelemetry tracer, so its HTTP server, HTTP client and SQL client make spans and carry W3C {@code traceparent};
 * the NATS bridge, the NATS micro services and the outbox relay find the same {@link OpenTelemetry} with {@link #of}.
 * <p>
 * An untraced Vert.x has no tracer at all: Vert.x skips every tracing call, and code here checks {@link #of} once
 * when it is created (a null field) or {@link #active()} (one static read), so tracing that is off costs the hot path
 * nothing.
 */
public final class Tracing {

  /** The response header that carries the trace id of a traced request (32 hex characters). */
  public static final String TRACE_ID_HEADER = "X-Trace-Id";

  private static final String MAP = "reactive-shop.tracing";
  private static final String KEY = "opentelemetry";
  /** True once a traced Vert.x exists in this JVM: the guard for code that has no Vert.x at hand. */
  private static volatile boolean active;

  private Tracing() {
  }

  private record Holder(OpenTelemetry openTelemetry) implements Shareable {
  }

  /**
   * A Vert.x with metrics ({@link Metrics#vertxBuilder}) and, when {@code openTelemetry} is not null, tracing through
   * it. Null: exactly the untraced Vert.x of {@link Metrics#newVertx()}.
   */
  public static Vertx newVertx(VertxOptions options, OpenTelemetry openTelemetry) {
    if (openTelemetry == null) {
      return Metrics.vertxBuilder(options).build();
    }
    Vertx vertx = Metrics.vertxBuilder(options.setTracingOptions(new OpenTelemetryOptions()))
        .withTracer(new OpenTelemetryTracingFactory(openTelemetry))
        .build();
    vertx.sharedData().<String, Holder>getLocalMap(MAP).put(KEY, new Holder(openTelemetry));
    active = true;
    return vertx;
  }

  public static Vertx newVertx(OpenTelemetry openTelemetry) {
    return newVertx(new VertxOptions(), openTelemetry);
  }

  /** The OpenTelemetry a Vert.x instance traces with; null when it does not trace. Look it up once, not per request. */
  public static OpenTelemetry of(Vertx vertx) {
    LocalMap<String, Holder> map = vertx.sharedData().getLocalMap(MAP);
    Holder holder = map.get(KEY);
    return holder == null ? null : holder.openTelemetry();
  }

  /** Whether any Vert.x instance of this JVM traces (false: no span can be current anywhere). */
  public static boolean active() {
    return active;
  }
}
