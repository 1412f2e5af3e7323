package com.reactiveshop.nats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.support.JsonValue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests of one endpoint that were not worked on: {@code expired} (the requester had given up, see
 * {@link RequestDeadline}) and {@code overloaded} (refused with 503 because the instance had too many in flight).
 * They show in {@code nats micro stats} as the endpoint's {@code data}, and, when Vert.x runs with metrics, as
 * {@code nats_requests_dropped_total{service, reason}}. Those labels are the service name and one of two reasons,
 * never a subject or an instance id, so the number of series stays fixed; every endpoint and every instance of a
 * service in the process adds to the same two series.
 */
final class DropCounters {

  static final String METRIC = "nats.requests.dropped";
  static final String EXPIRED = "expired";
  static final String OVERLOADED = "overloaded";

  private final AtomicLong expired = new AtomicLong();
  private final AtomicLong overloaded = new AtomicLong();
  /** Null without a registry (Vert.x without metrics). */
  private final Counter expiredMetric;
  private final Counter overloadedMetric;

  DropCounters(String service, MeterRegistry registry) {
    this.expiredMetric = registry == null ? null : counter(registry, service, EXPIRED);
    this.overloadedMetric = registry == null ? null : counter(registry, service, OVERLOADED);
  }

  private static Counter counter(MeterRegistry registry, String service, String reason) {
    return Counter.builder(METRIC)
        .description("NATS requests a micro service dropped without working on them")
        .tag("service", service)
        .tag("reason", reason)
        .register(registry);
  }

  void expired() {
    expired.incrementAndGet();
    if (expiredMetric != null) {
      expiredMetric.increment();
    }
  }

  void overloaded() {
    overloaded.incrementAndGet();
    if (overloadedMetric != null) {
      overloadedMetric.increment();
    }
  }

  long expiredCount() {
    return expired.get();
  }

  long overloadedCount() {
    return overloaded.get();
  }

  /**
   * The endpoint's {@code data} in {@code $SRV.STATS}: jnats counts these requests in {@code num_requests} but cannot
   * tell they were dropped.
   */
  JsonValue statsData() {
    Map<String, JsonValue> data = new LinkedHashMap<>();
    data.put("dropped_expired", new JsonValue(expired.get()));
    data.put("dropped_overloaded", new JsonValue(overloaded.get()));
    return new JsonValue(data);
  }
}
