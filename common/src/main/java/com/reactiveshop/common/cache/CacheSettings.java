package com.reactiveshop.common.cache;

import java.util.Map;

/**
 * How a service caches its documents. {@link #fromEnv(Map)} reads the environment variables documented there.
 *
 * @param ttlMs      how long a cached document may be served after the store read (or write) that produced it; it
 *                   bounds how stale another process's change can be seen when its notice is lost. 0 turns caching
 *                   off (every read goes to the store; changes are still announced to other processes)
 * @param maxEntries the most documents kept per service and process (least recently and frequently used go first)
 */
public record CacheSettings(long ttlMs, int maxEntries) {

  public static final String TTL_VARIABLE = "CACHE_TTL_MS";
  public static final String SIZE_VARIABLE = "CACHE_MAX_ENTRIES";
  public static final CacheSettings DEFAULTS = new CacheSettings(1_000, 10_000);
  /** No caching: for tests that write behind a service's back and read through it at once. */
  public static final CacheSettings OFF = new CacheSettings(0, 1);

  public CacheSettings {
    if (ttlMs < 0) {
      throw new IllegalArgumentException("the cache expiry must be 0 (off) or more milliseconds, was " + ttlMs);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("the cache must hold at least one entry, was " + maxEntries);
    }
  }

  /** {@code CACHE_TTL_MS} (1000; 0 = no caching), {@code CACHE_MAX_ENTRIES} (10000). */
  public static CacheSettings fromEnv(Map<String, String> env) {
    return new CacheSettings(
        number(env, TTL_VARIABLE, DEFAULTS.ttlMs(), 0),
        (int) number(env, SIZE_VARIABLE, DEFAULTS.maxEntries(), 1));
  }

  public boolean enabled() {
    return ttlMs > 0;
  }

  private static long number(Map<String, String> env, String name, long fallback, long min) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < min || parsed > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer from " + min + " to " + Integer.MAX_VALUE
          + ", got '" + value + "'");
    }
  }
}
