package com.reactiveshop.product;

import com.reactiveshop.common.health.HealthRoutes;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.logging.LogFields;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.mongo.MongoStores;
import com.reactiveshop.common.service.HttpService;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsMicroService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.mongo.MongoClient;

import java.util.List;

/**
 * The product service: wiring only. Routes are in {@link ProductRoutes}, NATS endpoints in {@link ProductEndpoints},
 * the reservation protocol in {@link Reservations}, recovery of stuck holds in {@link HoldSweeper}, removal of
 * reservation records past their retention in {@link ReservationJanitor}.
 */
public class ProductVerticle extends VerticleBase {

  public static final String NAME = "product-service";
  public static final String VERSION = "1.0.0";
  public static final String API = "/api/products";
  /** A stock hold older than this whose attempt is not confirmed is given back (see {@link HoldSweeper}). */
  public static final long STOCK_HOLD_GRACE_MS = HoldSweeper.GRACE_MS;
  public static final long STOCK_HOLD_SWEEP_INTERVAL_MS = HoldSweeper.INTERVAL_MS;

  private final NatsBridge nats;
  private final String mongoUri;
  private final ServiceSettings settings;
  private MongoClient mongo;
  private NatsMicroService micro;
  private HttpService http;
  private HoldSweeper sweeper;
  private ReservationJanitor janitor;

  public ProductVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings) {
    this.nats = nats;
    this.mongoUri = mongoUri;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    LogFields.tagService(context, NAME);
    mongo = MongoStores.sharedClient(vertx, mongoUri, NAME);
    ProductStore products = new ProductStore(mongo);
    ReservationRecords records = new ReservationRecords(mongo);
    StockLedger stock = new StockLedger(mongo);
    Reservations reservations = new Reservations(records, stock);
    sweeper = new HoldSweeper(vertx, mongo, records, stock);
    janitor = new ReservationJanitor(vertx, mongo);
    ApiRouter router = ApiRouter.create(vertx);
    new ProductRoutes(products).mount(router);
    HealthRoutes.mount(router, List.of(MongoStores.healthCheck(mongo), nats.healthCheck()));
    Metrics.mount(router);
    return NatsMicroService.start(nats, context, NAME, VERSION, "Products: batch lookup, stock reservation",
            new ProductEndpoints(products, reservations).endpoints())
        .compose(started -> {
          micro = started;
          return HttpService.start(vertx, settings, NAME, API, router.build());
        })
        .onSuccess(started -> {
          http = started;
          sweeper.start();
          janitor.start();
        })
        // Vert.x does not call stop() after a failed start: undo what did start (the NATS endpoints would keep
        // answering for a verticle that is not deployed).
        .recover(failure -> stop().transform(ignored -> Future.failedFuture(failure)));
  }

  @Override
  public Future<?> stop() {
    Future<Void> httpStopped = http == null ? Future.succeededFuture() : http.stop();
    return httpStopped
        .eventually(() -> micro == null ? Future.succeededFuture() : micro.stop())
        .eventually(() -> sweeper == null ? Future.succeededFuture() : Future.join(sweeper.stop(), janitor.stop()))
        .eventually(() -> MongoStores.close(vertx, mongo));
  }

  /** The port actually bound (useful when the settings asked for 0). */
  public int httpPort() {
    return http.port();
  }

  /** The id of this instance in the NATS Services API ({@code $SRV.INFO}, {@code $SRV.STATS}). */
  public String natsServiceId() {
    return micro.id();
  }
}
