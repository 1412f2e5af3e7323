package com.reactiveshop.common.discovery;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.types.HttpEndpoint;

/**
 * The {@code HttpEndpoint} record a service publishes into Vert.x service discovery while it runs:
 * named after the service, with metadata {@code {"api": "/api/users"}}.
 */
public final class EndpointRecord {

  private final ServiceDiscovery discovery;
  private final Record record;

  private EndpointRecord(ServiceDiscovery discovery, Record record) {
    this.discovery = discovery;
    this.record = record;
  }

  public static Future<EndpointRecord> publish(ServiceDiscovery discovery, String name, String host, int port,
                                               String api) {
    Record record = HttpEndpoint.createRecord(name, host, port, "/", new JsonObject().put("api", api));
    return discovery.publish(record).map(published -> new EndpointRecord(discovery, published));
  }

  public Future<Void> unpublish() {
    return discovery.unpublish(record.getRegistration());
  }
}
