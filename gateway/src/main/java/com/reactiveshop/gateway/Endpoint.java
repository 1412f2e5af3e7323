package com.reactiveshop.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;

/** Where one instance of a service answers HTTP. Several records may name the same endpoint. */
record Endpoint(String host, int port, boolean ssl) {

  /** The endpoint of an {@code HttpEndpoint} record, or null when its location is incomplete. */
  static Endpoint of(Record record) {
    JsonObject location = record.getLocation();
    if (location == null || location.getString("host") == null
        || !(location.getValue("port") instanceof Number port)) {
      return null;
    }
    return new Endpoint(location.getString("host"), port.intValue(), location.getBoolean("ssl", false));
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
