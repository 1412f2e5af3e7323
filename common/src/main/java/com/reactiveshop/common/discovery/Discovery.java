package com.reactiveshop.common.discovery;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;

/**
 * Creates service discovery with an explicitly named backend: left unnamed, Vert.x takes whichever backend
 * ServiceLoader finds first on the classpath.
 */
public final class Discovery {

  /** The in-process backend that ships with Vert.x: records are seen only inside one JVM. */
  public static final String LOCAL_BACKEND = "io.vertx.servicediscovery.impl.DefaultServiceDiscoveryBackend";

  private Discovery() {
  }

  /** {@code backend} is {@code {"backend-name": ..., ...backend settings}}; empty means the local backend. */
  public static ServiceDiscovery create(Vertx vertx, JsonObject backend) {
    JsonObject configuration = backend == null ? new JsonObject() : backend.copy();
    if (!configuration.containsKey("backend-name")) {
      configuration.put("backend-name", LOCAL_BACKEND);
    }
    return ServiceDiscovery.create(vertx, new ServiceDiscoveryOptions().setBackendConfiguration(configuration));
  }
}
