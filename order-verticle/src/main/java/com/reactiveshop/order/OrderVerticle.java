package com.reactiveshop.order;

import com.reactiveshop.common.health.HealthCheck;
import com.reactiveshop.common.health.HealthRoutes;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.logging.LogFields;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.openapi.OpenApiRoutes;
import com.reactiveshop.common.service.HttpService;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsMicroService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order service: wiring only. Routes are in {@link OrderRoutes}, the NATS endpoint in {@link OrderEndpoints}, the
 * order path in {@link OrderPlacement}, cancelling in {@link OrderCancellation}, events in {@link OutboxRelay}, removal
 * of bookkeeping past its retention in {@link OrderJanitor}, business metrics in {@link OrderMetrics} and
 * {@link OrderBacklog}.
 */
public class OrderVerticle extends VerticleBase {

  public static final String NAME = "order-service";
  public static final String VERSION = "1.0.0";

  private final NatsBridge nats;
  private final OrderSettings orderSettings;
  private final ServiceSettings settings;
  private OrderDatabase database;
  private DependencyBreakers breakers;
  private OutboxRelay relay;
  private ReleaseRetries releases;
  private OrderJanitor janitor;
  private OrderBacklog backlog;
  private NatsMicroService micro;
  private HttpService http;

  public OrderVerticle(NatsBridge nats, OrderSettings orderSettings, ServiceSettings settings) {
    this.nats = nats;
    this.orderSettings = orderSettings;
    this.settings = settings;
  }

  /** PostgreSQL at {@code pgUri}; the other knobs from the environment ({@link OrderSettings#fromEnv}). */
  public OrderVerticle(NatsBridge nats, String pgUri, ServiceSettings settings) {
    this(nats, settingsFromEnv(pgUri), settings);
  }

  private static OrderSettings settingsFromEnv(String pgUri) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PG_URI", pgUri);
    return OrderSettings.fromEnv(env);
  }

  @Override
  public Future<?> start() {
    LogFields.tagService(context, NAME);
    database = OrderDatabase.shared(vertx, orderSettings);
    breakers = DependencyBreakers.acquire(vertx, nats, orderSettings);
    OrderMetrics metrics = OrderMetrics.create();
    Dependencies dependencies = new Dependencies(nats, breakers, metrics);
    OrderStore store = new OrderStore(database);
    relay = new OutboxRelay(vertx, context, database, nats, orderSettings.outboxIntervalMs());
    janitor = new OrderJanitor(vertx, database, orderSettings.idempotencyLeaseMs());
    OrderIntents intents = new OrderIntents(database, orderSettings.intentGraceMs());
    releases = new ReleaseRetries(vertx, database, dependencies, intents, orderSettings.releaseRetryIntervalMs());
    IdempotencyStore idempotency = new IdempotencyStore(database, orderSettings.idempotencyLeaseMs(), intents);
    OrderCommit commit = new OrderCommit(database);
    OrderPlacement placement = new OrderPlacement(commit, store, dependencies, intents, releases, relay, metrics);

    ApiRouter router = ApiRouter.create(vertx);
    new OrderRoutes(store, placement,
        new IdempotentOrders(vertx, idempotency, placement, commit, orderSettings.idempotencyWaitMs(), metrics),
        new OrderCancellation(database, store, releases, relay, metrics)).mount(router);
    HealthRoutes.mount(router, List.of(database.healthCheck(), nats.healthCheck(),
        new HealthCheck("circuit-breakers", () -> Future.succeededFuture(breakers.describe()))));
    Metrics.mount(router);
    OpenApiRoutes.mount(router, OrderRoutes.API);

    return Migrations.apply(vertx, database)
        .compose(v -> relay.start())
        .compose(v -> {
          releases.start();
          janitor.start();
          backlog = OrderBacklog.start(vertx, database);
          return NatsMicroService.start(nats, context, NAME, VERSION, "Orders: lookup by id",
              new OrderEndpoints(store).endpoints());
        })
        .compose(started -> {
          micro = started;
          return HttpService.start(vertx, settings, NAME, OrderRoutes.API, router.build());
        })
        .onSuccess(started -> http = started)
        // A failed start is not followed by stop(): give back the shared pool and breakers here.
        .recover(failure -> stop().transform(stopped -> Future.failedFuture(failure)));
  }

  @Override
  public Future<?> stop() {
    Future<Void> httpStopped = http == null ? Future.succeededFuture() : http.stop();
    return httpStopped
        .eventually(() -> micro == null ? Future.succeededFuture() : micro.stop())
        .eventually(() -> Future.join(relay.stop(), releases.stop(), janitor.stop(),
            backlog == null ? Future.succeededFuture() : backlog.stop()))
        .eventually(() -> {
          if (breakers != null) {
            breakers.release(vertx);
            breakers = null;
          }
          return database.close();
        });
  }

  /** The port actually bound (useful when the settings asked for 0). */
  public int httpPort() {
    return http.port();
  }
}
