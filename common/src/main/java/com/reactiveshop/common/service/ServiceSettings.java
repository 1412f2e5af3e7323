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

  /** How often the gateway re-reads discovery (it also does after a failed forward). */
  public static final long GATEWAY_REFRESH_INTERVAL_MS = 1_000;
  /**
   * How long the gateway may keep routing to a record after it is removed: one refresh interval, and half of one for
   * a read that started just before the removal.
   */
  public static final long GATEWAY_GRACE_MS = GATEWAY_REFRESH_INTERVAL_MS * 3 / 2;

  public ServiceSettings(int httpPort, String advertisedHost, JsonObject discoveryBackend) {
    this(httpPort, advertisedHost, discoveryBackend, GATEWAY_GRACE_MS);
  }

  /** Loopback, the in-process discovery backend and no grace: for tests. */
  public static ServiceSettings local(int httpPort) {
    return new ServiceSettings(httpPort, "127.0.0.1", new JsonObject(), 0);
  }
}
