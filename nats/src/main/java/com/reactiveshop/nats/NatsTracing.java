package com.reactiveshop.nats;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.tracing.Tracing;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider.VertxContextStorage;

import java.util.Map;

/**
 * The spans of NATS hops and the W3C trace context ({@code traceparent}, {@code tracestate}) in NATS message headers,
 * for a traced Vert.x: a request sent while a request is being handled is a CLIENT span whose context travels in the
 * request's headers; a request a micro service takes is a SERVER span continuing the context it carries (a new trace
 * when it carries none, as from the {@code nats} CLI), current on the Vert.x context that handles it; an outbox event
 * is a PRODUCER span continuing the trace that wrote it. Exists only when tracing is on ({@link #of} is null
 * otherwise), so the untraced path has nothing but a null check.
 */
public final class NatsTracing {

  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    if (headers != null) {
      headers.put(key, value);
    }
  };
  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      return headers.keySet();
    }

    @Override
    public String get(Headers headers, String key) {
      return headers == null ? null : headers.getFirst(key);
    }
  };

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private NatsTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("reactive-shop.nats");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  /** The tracing of NATS hops for {@code vertx}, or null when it does not trace. */
  public static NatsTracing of(Vertx vertx) {
    OpenTelemetry openTelemetry = Tracing.of(vertx);
    return openTelemetry == null ? null : new NatsTracing(openTelemetry);
  }

  /**
   * A CLIENT span for a request about to be sent on behalf of the request handled on the current Vert.x context, its
   * context written into {@code headers}; null (nothing sent along) when no traced request is being handled, as for
   * background retries.
   */
  Span request(String subject, Headers headers) {
    Context parent = VertxContextStorage.INSTANCE.current();
    if (parent == null || !Span.fromContext(parent).getSpanContext().isValid()) {
      return null;
    }
    Span span = tracer.spanBuilder(subject)
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute("messaging.system", "nats")
        .setAttribute("messaging.destination.name", subject)
        .startSpan();
    propagator.inject(parent.with(span), headers, SETTER);
    return span;
  }

  /** A request a micro service took, traced on {@code context} (a duplicate of the verticle's, for this request). */
  record Served(Span span, Scope scope) {

    String traceId() {
      return span.getSpanContext().getTraceId();
    }

    /** Ends the span with the answer's status (0: none sent); the context no longer has it as current. */
    void end(int status) {
      if (status > 0) {
        span.setAttribute("nats.service.status_code", status);
      }
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
      scope.close();
    }
  }

  /** Starts the SERVER span of a request a micro service takes, current on {@code context} until it ends. */
  Served serve(ContextInternal context, String service, String subject, Headers headers) {
    Context parent = propagator.extract(Context.root(), headers, GETTER);
    Span span = tracer.spanBuilder(subject)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("messaging.system", "nats")
        .setAttribute("messaging.destination.name", subject)
        .setAttribute("rpc.service", service)
        .startSpan();
    return new Served(span, VertxContextStorage.INSTANCE.attach(context, parent.with(span)));
  }

  /**
   * A PRODUCER span for an event published now for work traced earlier ({@code traceparent}, as kept with the event),
   * its context written into {@code headers}; null when the event was written untraced.
   */
  public Span publish(String subject, String traceparent, Headers headers) {
    if (traceparent == null) {
      return null;
    }
    Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", traceparent),
        MAP_GETTER);
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      return null;
    }
    Span span = tracer.spanBuilder(subject + " publish")
        .setParent(parent)
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("messaging.system", "nats")
        .setAttribute("messaging.destination.name", subject)
        .startSpan();
    propagator.inject(parent.with(span), headers, SETTER);
    return span;
  }

  /**
   * Ends a span from {@link #request} or {@link #publish} (null: nothing to end). An error reply of status 4xx is an
   * answer (the service said no), not a failure of the hop.
   */
  public static void end(Span span, Throwable failure) {
    if (span == null) {
      return;
    }
    if (failure instanceof ApiError error) {
      span.setAttribute("nats.service.status_code", error.status());
      if (error.status() >= 500) {
        span.setStatus(StatusCode.ERROR, error.code());
      }
    } else if (failure != null) {
      span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    }
    span.end();
  }
}
