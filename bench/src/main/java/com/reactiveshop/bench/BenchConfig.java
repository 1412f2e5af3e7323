package com.reactiveshop.bench;

import java.nio.file.Path;
import java.util.Map;

/** What {@code bench/run.sh} hands to {@code bench.jar run}. */
record BenchConfig(String userUrl, String productUrl, String orderUrl, String gatewayUrl, String natsUrl,
                   String mongoUri, String pgUri, int seconds, int connections, int wrkThreads, int inFlight,
                   long startMs, long systemPid, String dataDir, Path benchDir, Path results, boolean profile) {

  static BenchConfig of(Map<String, String> o) {
    return new BenchConfig(req(o, "user-url"), req(o, "product-url"), req(o, "order-url"), o.get("gateway-url"),
        req(o, "nats"), blankToNull(o.get("mongo")), blankToNull(o.get("pg")),
        Integer.parseInt(o.getOrDefault("seconds", "15")), Integer.parseInt(o.getOrDefault("connections", "64")),
        Integer.parseInt(o.getOrDefault("wrk-threads", "1")), Integer.parseInt(o.getOrDefault("in-flight", "64")),
        Long.parseLong(o.getOrDefault("start-ms", "-1")), Long.parseLong(o.getOrDefault("system-pid", "-1")),
        o.getOrDefault("data-dir", "/nonexistent"), Path.of(o.getOrDefault("bench-dir", "bench")).toAbsolutePath(),
        Path.of(o.getOrDefault("results", "bench/results/latest")).toAbsolutePath(),
        Boolean.parseBoolean(o.getOrDefault("profile", "false")));
  }

  /** Unrecorded load before each measured run, so both the ceilings and the services are measured warm. */
  int warmupSeconds() {
    return Math.max(1, Math.min(5, seconds / 5));
  }

  private static String req(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() || v.equals("-") ? null : v;
  }
}
