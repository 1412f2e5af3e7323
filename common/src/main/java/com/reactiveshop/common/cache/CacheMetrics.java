package com.reactiveshop.common.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The series of one document cache, named as Micrometer's own cache binders name them so dashboards for those fit:
 * {@code cache_gets_total{cache, result="hit"|"miss"}}, {@code cache_evictions_total{cache, cause="size"|"expired"}}
 * (documents only, not in-flight markers) and the gauge {@code cache_size{cache}}. Without a registry (Vert.x without
 * metrics) nothing is recorded.
 */
final class CacheMetrics {

  private final MeterRegistry registry;
  private final Counter hits;
  private final Counter misses;
  private final Map<RemovalCause, Counter> evictions = new EnumMap<>(RemovalCause.class);
  private Gauge size;

  CacheMetrics(String cache, MeterRegistry registry) {
    this.registry = registry;
    this.hits = registry == null ? null : gets(registry, cache, "hit");
    this.misses = registry == null ? null : gets(registry, cache, "miss");
    if (registry != null) {
      for (RemovalCause cause : new RemovalCause[] {RemovalCause.SIZE, RemovalCause.EXPIRED}) {
        evictions.put(cause, Counter.builder("cache.evictions")
            .description("Documents dropped by the size bound or the expiry")
            .tag("cache", cache).tag("cause", cause.name().toLowerCase(Locale.ROOT)).register(registry));
      }
    }
  }

  private static Counter gets(MeterRegistry registry, String cache, String result) {
    return Counter.builder("cache.gets").description("Reads by id answered from the cache (hit) or the store (miss)")
        .tag("cache", cache).tag("result", result).register(registry);
  }

  /** Starts reporting the number of entries of {@code caffeine}. */
  void watchSize(String cache, Cache<?, ?> caffeine) {
    if (registry != null) {
      size = Gauge.builder("cache.size", caffeine, Cache::estimatedSize).description("Entries in the cache")
          .tag("cache", cache).register(registry);
    }
  }

  void hit() {
    if (hits != null) {
      hits.increment();
    }
  }

  void miss() {
    if (misses != null) {
      misses.increment();
    }
  }

  void evicted(RemovalCause cause) {
    Counter counter = evictions.get(cause);
    if (counter != null) {
      counter.increment();
    }
  }

  /** The gauge goes with the cache (a later cache of the same name registers its own); the counters stay. */
  void close() {
    if (size != null) {
      registry.remove(size);
    }
  }
}
