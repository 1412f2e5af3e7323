package com.reactiveshop.launcher;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every part the launcher can run, in start order: the one table of their names, default ports (CONTRACT.md) and
 * where each answers. How each is built is {@link Topology}'s switch over this enum, which the compiler keeps
 * exhaustive.
 */
enum Part {
  USER("user", "user-service", 3001, "/api/users"),
  PRODUCT("product", "product-service", 3002, "/api/products"),
  ORDER("order", "order-service", 3003, "/api/orders"),
  GATEWAY("gateway", "gateway", 8080, "/api/...");

  /** The names {@code --services} and {@code --instances} take, in start order. */
  static final List<String> KEYS = Arrays.stream(values()).map(Part::key).toList();

  private final String key;
  private final String serviceName;
  private final int defaultPort;
  private final String api;

  Part(String key, String serviceName, int defaultPort, String api) {
    this.key = key;
    this.serviceName = serviceName;
    this.defaultPort = defaultPort;
    this.api = api;
  }

  /** The part named {@code key} ({@code user}, ...); null for no part. */
  static Part of(String key) {
    for (Part part : values()) {
      if (part.key.equals(key)) {
        return part;
      }
    }
    return null;
  }

  String key() {
    return key;
  }

  /** The name it has in NATS, discovery and traces ({@code user-service}, {@code gateway}). */
  String serviceName() {
    return serviceName;
  }

  /** How messages name it: {@code user-service}, {@code the gateway}. */
  String displayName() {
    return this == GATEWAY ? "the gateway" : serviceName;
  }

  int defaultPort() {
    return defaultPort;
  }

  /** Its all-in-one port variable ({@code USER_HTTP_PORT}, ...). */
  String portVariable() {
    return key.toUpperCase(Locale.ROOT) + "_HTTP_PORT";
  }

  /** Where it answers, as the start summary shows it. */
  String api() {
    return api;
  }
}
