package com.reactiveshop.common.service;

import com.reactiveshop.common.discovery.Discovery;
import com.reactiveshop.common.discovery.EndpointRecord;
import com.reactiveshop.common.http.InvalidRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Router;
import io.vertx.servicediscovery.ServiceDiscovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A service's HTTP server and its {@code HttpEndpoint} discovery record, started and stopped together: the record is
 * published only once the port answers, and removed before the server stops taking requests.
 */
public final class HttpService {

  /** How long a stopping HTTP server lets requests in flight finish (the gateway's too). */
  public static final long SHUTDOWN_GRACE_MS = 10_000;
  private static final String RUNNING = "reactiveshop.http-services";

  private final Vertx vertx;
  private final long unpublishGraceMs;
  private final HttpServer server;
  private final ServiceDiscovery discovery;
  private final EndpointRecord record;
  /** The record was withdrawn and its grace waited for by {@link #withdrawAll}: {@link #stop} only closes. */
  private volatile boolean withdrawn;

  /** The HTTP services running on one Vert.x instance (one process). */
  private static final class Running implements Shareable {
    final Set<HttpService> services = ConcurrentHashMap.newKeySet();
  }

  private HttpService(Vertx vertx, HttpServer server, ServiceDiscovery discovery, EndpointRecord record,
                      long unpublishGraceMs) {
    this.vertx = vertx;
    this.unpublishGraceMs = unpublishGraceMs;
    this.server = server;
    this.discovery = discovery;
    this.record = record;
  }

  public static Future<HttpService> start(Vertx vertx, ServiceSettings settings, String name, String api,
                                          Router router) {
    return vertx.createHttpServer(serverOptions("0.0.0.0", settings.httpPort()))
        .requestHandler(router).invalidRequestHandler(InvalidRequests::answer)
        .listen().compose(server -> {
      ServiceDiscovery discovery = Discovery.create(vertx, settings.discoveryBackend());
      return EndpointRecord.publish(discovery, name, settings.advertisedHost(), server.actualPort(), api)
          .map(record -> {
            HttpService started = new HttpService(vertx, server, discovery, record, settings.unpublishGraceMs());
            running(vertx).services.add(started);
            return started;
          })
          .onFailure(e -> {
            discovery.close();
            server.close();
          });
    });
  }

  /**
   * The options of every HTTP server here, the gateway's too: no Nagle delay on small JSON answers, no compression
   * (the answers are small and the CPU is better spent serving), idle connections closed after two minutes.
   */
  public static HttpServerOptions serverOptions(String host, int port) {
    return new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  /**
   * Unpublishes the record, keeps serving while routers that cached it catch up ({@code unpublishGraceMs}), then
   * stops accepting, lets in-flight requests finish (up to a grace period) and closes the server. After
   * {@link #withdrawAll} only the second half is left.
   */
  public Future<Void> stop() {
    running(vertx).services.remove(this);
    Future<Void> withdrawal = withdrawn ? Future.succeededFuture() : record.unpublish()
        .eventually(() -> unpublishGraceMs > 0 ? vertx.timer(unpublishGraceMs).mapEmpty() : Future.succeededFuture());
    return withdrawal.eventually(() -> {
      discovery.close();
      return server.shutdown(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
    });
  }

  /**
   * Unpublishes the records of every HTTP service of this Vert.x instance at once, then waits one grace while they all
   * keep serving. A process that stops its services one after another (in dependency order, so in-flight work still
   * finds the services it calls) would otherwise wait one grace per service; with this first, each stop only closes.
   */
  public static Future<Void> withdrawAll(Vertx vertx) {
    List<HttpService> services = List.copyOf(running(vertx).services);
    long grace = 0;
    List<Future<Void>> unpublished = new ArrayList<>();
    for (HttpService service : services) {
      service.withdrawn = true;
      grace = Math.max(grace, service.unpublishGraceMs);
      unpublished.add(service.record.unpublish());
    }
    long wait = grace;
    return Future.join(unpublished).<Void>mapEmpty()
        .eventually(() -> wait > 0 ? vertx.timer(wait).mapEmpty() : Future.succeededFuture());
  }

  private static Running running(Vertx vertx) {
    LocalMap<String, Running> map = vertx.sharedData().getLocalMap(RUNNING);
    Running running = map.get(RUNNING);
    if (running == null) {
      Running created = new Running();
      running = map.putIfAbsent(RUNNING, created);
      running = running == null ? created : running;
    }
    return running;
  }
}
