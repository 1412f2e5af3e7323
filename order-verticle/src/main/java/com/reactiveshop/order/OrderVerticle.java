package com.reactiveshop.order;

import com.reactiveshop.common.health.HealthCheck;
import com.reactiveshop.common.service.ServiceDeclaration;
import com.reactiveshop.common.service.ServiceHost;
import com.reactiveshop.common.service.ServiceIdentity;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsMicroService;
import io.vertx.core.Future;

/**
 * The order service, as its host runs it ({@link ServiceHost}). Routes are in {@link OrderRoutes}, the NATS endpoint
 * in {@link OrderEndpoints}, the order path in {@link OrderPlacement}, cancelling in {@link OrderCancellation}, events
 * in {@link OutboxRelay}, removal of bookkeeping past its retention in {@link OrderJanitor}, business metrics in
 * {@link OrderMetrics} and {@link OrderBacklog}.
 */
public class OrderVerticle extends ServiceHost {

  public static final String NAME = "order-service";
  public static final String VERSION = "1.0.0";

  private final NatsBridge nats;
  private final OrderSettings orderSettings;

  public OrderVerticle(NatsBridge nats, OrderSettings orderSettings, ServiceSettings settings) {
    super(new ServiceIdentity(NAME, VERSION, OrderRoutes.API, "Orders: lookup by id"), settings);
    this.nats = nats;
    this.orderSettings = orderSettings;
  }

  /**
   * The relay, the release retrier, the janitor and the backlog reading run before orders are taken (events of orders
   * committed meanwhile are published), and stop only once no order is in flight. The breakers are given back
   * before the database closes.
   */
  @Override
  protected void declare(ServiceDeclaration service) {
    OrderDatabase database = service.closing(OrderDatabase.shared(vertx, orderSettings), OrderDatabase::close);
    DependencyBreakers breakers = service.closing(DependencyBreakers.acquire(vertx, nats, orderSettings),
        acquired -> {
          acquired.release(vertx);
          return Future.succeededFuture();
        });
    OrderMetrics metrics = OrderMetrics.create();
    Dependencies dependencies = new Dependencies(nats, breakers, metrics);
    OrderStore store = new OrderStore(database);
    OutboxRelay relay = new OutboxRelay(vertx, context, database, nats, orderSettings.outboxIntervalMs());
    OrderJanitor janitor = new OrderJanitor(vertx, database, orderSettings.idempotencyLeaseMs());
    OrderIntents intents = new OrderIntents(database, orderSettings.intentGraceMs());
    ReleaseRetries releases = new ReleaseRetries(vertx, dependencies, intents, orderSettings.releaseRetryIntervalMs());
    IdempotencyStore idempotency = new IdempotencyStore(database, orderSettings.idempotencyLeaseMs(), intents);
    OrderCommit commit = new OrderCommit(database);
    OrderPlacement placement = new OrderPlacement(commit, store, dependencies, intents, releases, relay, metrics);
    OrderBacklog backlog = new OrderBacklog(vertx, database);

    service.routes(new OrderRoutes(store, placement,
            new IdempotentOrders(vertx, idempotency, placement, commit, orderSettings.idempotencyWaitMs(), metrics),
            new OrderCancellation(database, store, releases, relay, metrics))::mount)
        .healthChecks(database.healthCheck(), nats.healthCheck(),
            new HealthCheck("circuit-breakers", () -> Future.succeededFuture(breakers.describe())))
        .prepare(() -> Migrations.apply(vertx, database))
        .startBeforeServing(relay::start, relay::stop)
        .runBeforeServing(releases::start, releases::stop)
        .runBeforeServing(janitor::start, janitor::stop)
        .runBeforeServing(backlog::start, backlog::stop)
        .endpoints(NatsMicroService.endpoints(nats, new OrderEndpoints(store).endpoints()));
  }
}
