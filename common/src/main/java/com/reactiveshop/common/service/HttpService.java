package com.reactiveshop.common.service;

import com.reactiveshop.common.discovery.Discovery;
import com.reactiveshop.common.discovery.EndpointRecord;
import com.reactiveshop.common.http.InvalidRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.servicediscovery.ServiceDiscovery;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A service's HTTP server and its {@code HttpEndpoint} discovery record, started and stopped together: the record is
 * published only once the port answers, and removed before the server stops taking requests.
 */
public final class HttpService {

  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final long unpublishGraceMs;
  private final HttpServer server;
  private final ServiceDiscovery discovery;
  private final EndpointRecord record;

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
    HttpServerOptions options = new HttpServerOptions()
        .setPort(settings.httpPort())
        .setHost("0.0.0.0")
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(InvalidRequests::answer)
        .listen().compose(server -> {
      ServiceDiscovery discovery = Discovery.create(vertx, settings.discoveryBackend());
      return EndpointRecord.publish(discovery, name, settings.advertisedHost(), server.actualPort(), api)
          .map(record -> new HttpService(vertx, server, discovery, record, settings.unpublishGraceMs()))
          .onFailure(e -> {
            discovery.close();
            server.close();
          });
    });
  }

  public int port() {
    return server.actualPort();
  }

  public EndpointRecord record() {
    return record;
  }

  /**
   * Unpublishes the record, keeps serving while routers that cached it catch up ({@code unpublishGraceMs}), then
   * stops accepting, lets in-flight requests finish (up to a grace period) and closes the server.
   */
  public Future<Void> stop() {
    return record.unpublish()
        .eventually(() -> unpublishGraceMs > 0 ? vertx.timer(unpublishGraceMs).mapEmpty() : Future.succeededFuture())
        .eventually(() -> {
          discovery.close();
          return server.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        });
  }
}
