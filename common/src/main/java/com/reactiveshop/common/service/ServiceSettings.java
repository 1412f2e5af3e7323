package com.reactiveshop.common.service;

import io.vertx.core.json.JsonObject;

/**
 * Where a service listens and how it is found: its HTTP port (0 picks a free one), the host written into its
 * discovery record, the discovery backend configuration ({@code {"backend-name": ...}}), and how long a stopping
 * service keeps serving after its record is gone ({@code unpublishGraceMs}): long enough for routers that cache
 * discovery (the gateway refreshes every second) to stop sending it new requests.
 */
public record ServiceSettings(int httpPort, String advertisedHost, JsonObject discoveryBackend,
                             long unpublishGraceMs) {

  /** How long the gateway may keep routing to a record after it is removed: its refresh interval, and a margin. */
  public static final long GATEWAY_GRACE_MS = 1_500;

  public ServiceSettings(int httpPort, String advertisedHost, JsonObject discoveryBackend) {
    this(httpPort, advertisedHost, discoveryBackend, GATEWAY_GRACE_MS);
  }

  /** Loopback, the in-process discovery backend and no grace: for tests. */
  public static ServiceSettings local(int httpPort) {
    return new ServiceSettings(httpPort, "127.0.0.1", new JsonObject(), 0);
  }
}
