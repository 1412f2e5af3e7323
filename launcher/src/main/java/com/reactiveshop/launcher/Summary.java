package com.reactiveshop.launcher;

import java.nio.file.Path;

/**
 * The one block printed at start: where each service answers, which NATS to point the CLI at, where data lives.
 * Passwords in URIs are shown as {@code ***}.
 */
final class Summary {

  private Summary() {
  }

  static String of(LaunchOptions options, Topology topology, Infrastructure infra) {
    StringBuilder out = new StringBuilder("\nreactive-shop is up\n");
    topology.ports().forEach((service, port) -> {
      Part part = Part.of(service);
      out.append("  ").append("%-16s http://localhost:%d%s".formatted(part.serviceName(), port, part.api()));
      if (part == Part.GATEWAY) {
        out.append("  (GET /api/services lists discovery records)");
      }
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
