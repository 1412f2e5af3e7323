package com.reactiveshop.gateway;

import com.reactiveshop.common.discovery.Discovery;
import com.reactiveshop.common.health.HealthCheck;
import com.reactiveshop.common.health.HealthRoutes;
import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.InvalidRequests;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.http.Reply;
import com.reactiveshop.common.logging.AccessLog;
import com.reactiveshop.common.logging.LogFields;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.openapi.OpenApiRoutes;
import com.reactiveshop.common.tracing.Tracing;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.discovery.NatsDiscovery;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The single entry point (port 8080 by default, {@code GATEWAY_HTTP_PORT}): {@code /api/users|products|orders…} go to
 * a live instance found in service discovery ({@link ApiProxy}); {@code GET /api/services} lists the records discovery
 * holds; {@code /health/live}, {@code /health/ready} and {@code /metrics} describe the gateway itself.
 */
public class GatewayVerticle extends VerticleBase {

  public static final int DEFAULT_PORT = 8080;
  public static final String NAME = "gateway";
  private static final long REFRESH_INTERVAL_MS = 1_000;
  private static final long SHUTDOWN_GRACE_MS = 10_000;

  private final String host;
  private final int port;
  private final JsonObject discoveryBackend;
  private final NatsBridge explicitNats;
  private ServiceDiscovery discovery;
  private ServiceDirectory directory;
  private HttpClientAgent client;
  private HttpServer server;

  /**
   * Listens on every interface on {@code port} (0 picks a free one) and finds services through the discovery
   * backend {@code discoveryBackend}; readiness checks the NATS connection registered with {@link NatsDiscovery}.
   */
  public GatewayVerticle(int port, JsonObject discoveryBackend) {
    this("0.0.0.0", port, discoveryBackend, null);
  }

  /** {@code nats} may be null: then the bridge registered with {@link NatsDiscovery}, if any, is checked. */
  public GatewayVerticle(String host, int port, JsonObject discoveryBackend, NatsBridge nats) {
    this.host = host;
    this.port = port;
    this.discoveryBackend = discoveryBackend == null ? new JsonObject() : discoveryBackend.copy();
    this.explicitNats = nats;
  }

  @Override
  public Future<?> start() {
    LogFields.tagService(context, NAME);
    discovery = Discovery.create(vertx, discoveryBackend);
    directory = new ServiceDirectory(vertx, discovery, REFRESH_INTERVAL_MS);
    client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(2_000)
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(1_024));
    ApiProxy proxy = new ApiProxy(client, directory, Tracing.of(vertx) != null, AccessLog.enabled());
    Router router = ownRoutes().build();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    return directory.start()
        .compose(v -> vertx.createHttpServer(options)
            // Proxied paths bypass the router: it would buffer bodies, and the proxy streams them.
            .requestHandler(request -> {
              String api = ApiProxy.apiOf(request.path());
              if (api != null) {
                proxy.handle(request, api);
              } else {
                router.handle(request);
              }
            })
            .invalidRequestHandler(InvalidRequests::answer)
            .listen())
        .onSuccess(listening -> server = listening);
  }

  private ApiRouter ownRoutes() {
    ApiRouter router = ApiRouter.create(vertx);
    router.get("/api/services", ctx -> services(Page.of(ctx)));
    List<HealthCheck> checks = new ArrayList<>();
    NatsBridge nats = explicitNats != null ? explicitNats : NatsDiscovery.bridge(vertx);
    if (nats != null) {
      checks.add(nats.healthCheck());
    }
    checks.add(new HealthCheck("discovery", () -> directory.refresh()
        .map(records -> new JsonObject().put("records", records.size()))));
    HealthRoutes.mount(router, checks);
    Metrics.mount(router);
    OpenApiRoutes.mountWhole(router);
    return router;
  }

  /** Every record discovery holds, read afresh (this is where an operator looks when routing surprises them). */
  /** The records discovery holds, as a list like any other (limit/offset, stable order: by name, then id). */
  private Future<Reply> services(Page page) {
    return directory.refresh()
        .map(records -> {
          List<JsonObject> items = records.stream()
              .sorted(Comparator.comparing(Record::getName).thenComparing(Record::getRegistration))
              .skip(page.offset()).limit(page.limit())
              .map(Record::toJson)
              .toList();
          return Reply.ok(page.answer(items, records.size()));
        })
        .recover(failure -> Future.failedFuture(ApiError.unavailable("discovery_unavailable",
            "Service discovery does not answer.", 1)));
  }

  @Override
  public Future<?> stop() {
    if (directory != null) {
      directory.stop();
    }
    Future<Void> serverStopped = server == null ? Future.succeededFuture()
        : server.shutdown(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
    return serverStopped
        .eventually(() -> client == null ? Future.succeededFuture() : client.close())
        .eventually(() -> {
          if (discovery != null) {
            discovery.close();
          }
          return Future.succeededFuture();
        });
  }

  /** The port actually bound (useful when 0 was asked). */
  public int actualPort() {
    return server.actualPort();
  }
}
