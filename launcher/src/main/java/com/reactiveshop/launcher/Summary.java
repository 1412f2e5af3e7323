package com.reactiveshop.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * The one block printed at start: where each service answers, which NATS to point the CLI at, where data lives.
 * Passwords in URIs are shown as {@code ***}.
 */
final class Summary {

  private static final Map<String, String> APIS = Map.of(
      "user", "user-service     http://localhost:%d/api/users",
      "product", "product-service  http://localhost:%d/api/products",
      "order", "order-service    http://localhost:%d/api/orders",
      "gateway", "gateway          http://localhost:%d/api/...  (GET /api/services lists discovery records)");

  private Summary() {
  }

  static String of(LaunchOptions options, Topology topology, Infrastructure infra) {
    StringBuilder out = new StringBuilder("\nreactive-shop is up\n");
    topology.ports().forEach((service, port) -> {
      out.append("  ").append(APIS.get(service).formatted(port));
      int instances = options.instancesOf(service);
      if (instances > 1) {
        out.append("  (").append(instances).append(" instances)");
      }
      out.append('\n');
    });
    String nats = Redactions.uri(infra.natsUrl());
    out.append("  NATS             ").append(nats).append("   (try: nats --server ").append(nats).append(" micro ls)\n");
    if (infra.mongoUri() != null) {
      out.append("  MongoDB          ").append(Redactions.uri(infra.mongoUri())).append('\n');
    }
    if (infra.pgUri() != null) {
      out.append("  PostgreSQL       ").append(Redactions.uri(infra.pgUri())).append('\n');
    }
    if (!infra.notes().isEmpty()) {
      out.append("  embedded data    ").append(Path.of("").toAbsolutePath().resolve(options.dataDir()).normalize())
          .append('\n');
    }
    return out.append("Stop with Ctrl-C (or SIGTERM).\n").toString();
  }
}
