package com.reactiveshop.common.service;

import io.vertx.core.json.JsonObject;

/**
 * Where a service listens and how it is found: its HTTP port (0 picks a free one), the host written into its
 * discovery record, and the discovery backend configuration ({@code {"backend-name": ...}}).
 */
public record ServiceSettings(int httpPort, String advertisedHost, JsonObject discoveryBackend) {

  public static ServiceSettings local(int httpPort) {
    return new ServiceSettings(httpPort, "127.0.0.1", new JsonObject());
  }
}
