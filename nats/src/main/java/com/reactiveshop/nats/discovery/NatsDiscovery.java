package com.reactiveshop.nats.discovery;

import com.reactiveshop.nats.NatsBridge;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands the process's NATS connection to {@link NatsKvDiscoveryBackend}. Vert.x creates discovery backends through
 * ServiceLoader and only passes them a JSON configuration, so the connection is looked up here by Vert.x instance.
 *
 * <pre>
 * NatsDiscovery.register(vertx, bridge);
 * ServiceDiscovery discovery = Discovery.create(vertx, NatsDiscovery.backendConfig());
 * </pre>
 */
public final class NatsDiscovery {

  /** The value of {@code backend-name} that selects the NATS KV backend. */
  public static final String BACKEND_NAME = NatsKvDiscoveryBackend.class.getName();
  public static final String DEFAULT_BUCKET = "discovery";
  /** How long a record outlives the last heartbeat of the process that published it. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(15);

  static final String BUCKET_KEY = "bucket";
  static final String TTL_KEY = "ttl-ms";

  private static final Map<Vertx, NatsBridge> BRIDGES = new ConcurrentHashMap<>();

  private NatsDiscovery() {
  }

  /** Makes {@code bridge}'s connection the one discovery backends created on {@code vertx} use. */
  public static void register(Vertx vertx, NatsBridge bridge) {
    BRIDGES.put(Objects.requireNonNull(vertx), Objects.requireNonNull(bridge));
  }

  /** Forgets the connection of {@code vertx} (call it when the process's bridge closes). */
  public static void unregister(Vertx vertx) {
    BRIDGES.remove(vertx);
  }

  /** The bridge registered for {@code vertx}, or null. */
  public static NatsBridge bridge(Vertx vertx) {
    return BRIDGES.get(vertx);
  }

  /** {@code {"backend-name": ..., "bucket": "discovery"}} with the default record TTL. */
  public static JsonObject backendConfig() {
    return backendConfig(DEFAULT_BUCKET, DEFAULT_TTL);
  }

  /**
   * The backend configuration for a given bucket and record TTL. The TTL is the bucket's max age: the first process
   * that creates the bucket fixes it, later ones adopt the bucket's TTL for their heartbeats.
   */
  public static JsonObject backendConfig(String bucket, Duration ttl) {
    return new JsonObject()
        .put("backend-name", BACKEND_NAME)
        .put(BUCKET_KEY, bucket)
        .put(TTL_KEY, ttl.toMillis());
  }
}
