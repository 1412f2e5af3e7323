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
import com.reactiveshop.common.service.HttpService;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.common.tracing.Tracing;
import com.reactiveshop.nats.NatsBridge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
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
 * The single entry point (on the port the launcher gives it: 8080 by default, {@code GATEWAY_HTTP_PORT}):
 * {@code /api/users|products|orders…} go to a live instance found in service discovery ({@link ApiProxy});
 * {@code GET /api/services} lists the records discovery holds; {@code /health/live}, {@code /health/ready} and
 * {@code /metrics} describe the gateway itself.
 */
public class GatewayVerticle extends VerticleBase {

  public static final String NAME = "gateway";

  private final String host;
  private final int port;
  private final JsonObject discoveryBackend;
  /** Null when readiness should not check NATS (a gateway over in-process discovery, in tests). */
  private final NatsBridge nats;
  private ServiceDiscovery discovery;
  private ServiceDirectory directory;
  private HttpClientAgent client;
  private HttpServer server;

  /**
   * Listens on {@code host}:{@code port} (0 picks a free one) and finds services through the discovery backend
   * {@code discoveryBackend}; readiness checks {@code nats} (which may be null) and discovery.
   */
  public GatewayVerticle(String host, int port, JsonObject discoveryBackend, NatsBridge nats) {
    this.host = host;
    this.port = port;
    this.discoveryBackend = discoveryBackend == null ? new JsonObject() : discoveryBackend.copy();
    this.nats = nats;
  }

  @Override
  public Future<?> start() {
    LogFields.tagService(context, NAME);
    discovery = Discovery.create(vertx, discoveryBackend);
    directory = new ServiceDirectory(vertx, discovery, ServiceSettings.GATEWAY_REFRESH_INTERVAL_MS);
    client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(2_000)
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(1_024));
    ApiProxy proxy = new ApiProxy(client, directory, Tracing.of(vertx) != null, AccessLog.enabled());
    Router router = ownRoutes().build();
    return directory.start()
        .compose(v -> vertx.createHttpServer(HttpService.serverOptions(host, port))
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

  /**
   * Every record discovery holds, read afresh (this is where an operator looks when routing surprises them), as a
   * list like any other (limit/offset, stable order: by name, then id).
   */
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
        : server.shutdown(HttpService.SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
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
