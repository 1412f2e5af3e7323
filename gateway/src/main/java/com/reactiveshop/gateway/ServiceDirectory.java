package com.reactiveshop.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gateway's cached view of service discovery: the records, and for each API prefix ({@code metadata.api}) the
 * distinct live HTTP endpoints. Refreshed periodically and on demand (after a failed forward), so requests never wait
 * on the discovery store. Touched only on the gateway verticle's context.
 */
final class ServiceDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceDirectory.class);
  private static final Comparator<Endpoint> STABLE_ORDER =
      Comparator.comparing(Endpoint::host).thenComparingInt(Endpoint::port);

  private final Vertx vertx;
  private final ServiceDiscovery discovery;
  private final long refreshIntervalMs;
  private List<Record> records = List.of();
  private Map<String, List<Endpoint>> endpointsByApi = Map.of();
  /** The refresh under way, shared by everyone who asks meanwhile; null when none is. */
  private Future<List<Record>> inFlight;
  private long timer = -1;
  private boolean failing;

  ServiceDirectory(Vertx vertx, ServiceDiscovery discovery, long refreshIntervalMs) {
    this.vertx = vertx;
    this.discovery = discovery;
    this.refreshIntervalMs = refreshIntervalMs;
  }

  /** Loads the records once and then keeps them fresh; never fails (an empty view answers 503 until discovery does). */
  Future<Void> start() {
    timer = vertx.setPeriodic(refreshIntervalMs, id -> refresh());
    return refresh().<Void>mapEmpty().otherwiseEmpty();
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** The distinct live endpoints serving {@code api}, in a stable order (empty when none). */
  List<Endpoint> endpoints(String api) {
    return endpointsByApi.getOrDefault(api, List.of());
  }

  /** Re-reads discovery (every record it holds, whatever its status); concurrent callers share one read. */
  Future<List<Record>> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    Future<List<Record>> read = discovery.getRecords(record -> true, true);
    inFlight = read;
    return read.andThen(ar -> {
      inFlight = null;
      if (ar.succeeded()) {
        apply(ar.result());
        if (failing) {
          LOG.info("Service discovery answers again: {} records", records.size());
          failing = false;
        }
      } else if (!failing) {
        // Logged once per outage; the last known view keeps serving meanwhile.
        LOG.warn("Service discovery read failed, keeping the last known records: {}", ar.cause().toString());
        failing = true;
      }
    });
  }

  private void apply(List<Record> fresh) {
    Map<String, Set<Endpoint>> grouped = new HashMap<>();
    for (Record record : fresh) {
      String api = record.getMetadata() == null ? null : record.getMetadata().getString("api");
      Endpoint endpoint = Endpoint.of(record);
      if (api != null && endpoint != null && record.getStatus() == Status.UP
          && HttpEndpoint.TYPE.equals(record.getType())) {
        grouped.computeIfAbsent(api, a -> new LinkedHashSet<>()).add(endpoint);
      }
    }
    Map<String, List<Endpoint>> byApi = new HashMap<>();
    grouped.forEach((api, endpoints) -> {
      List<Endpoint> sorted = new ArrayList<>(endpoints);
      sorted.sort(STABLE_ORDER);
      byApi.put(api, List.copyOf(sorted));
    });
    records = List.copyOf(fresh);
    endpointsByApi = byApi;
  }
}
