package com.reactiveshop.product;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.cache.ChangePublisher;
import com.reactiveshop.common.health.HealthRoutes;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.logging.LogFields;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.openapi.OpenApiRoutes;
import com.reactiveshop.common.mongo.MongoStores;
import com.reactiveshop.common.service.HttpService;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsMicroService;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.mongo.MongoClient;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The product service: wiring only. Routes are in {@link ProductRoutes}, NATS endpoints in {@link ProductEndpoints},
 * the reservation protocol in {@link Reservations}, recovery of stuck holds in {@link HoldSweeper}, removal of
 * reservation records past their retention in {@link ReservationJanitor}. Products read by id are cached in the
 * process ({@link CachedDocuments}); each change is announced on {@value #CHANGES_SUBJECT}.
 */
public class ProductVerticle extends VerticleBase {

  public static final String NAME = "product-service";
  public static final String VERSION = "1.0.0";
  public static final String API = "/api/products";
  /** A stock hold older than this whose attempt is not confirmed is given back (see {@link HoldSweeper}). */
  public static final long STOCK_HOLD_GRACE_MS = HoldSweeper.GRACE_MS;
  public static final long STOCK_HOLD_SWEEP_INTERVAL_MS = HoldSweeper.INTERVAL_MS;
  /** Core NATS subject of the product change notices ({@code {"id", "version"?}}), heard by every process. */
  public static final String CHANGES_SUBJECT = "products.changed";

  private final NatsBridge nats;
  private final String mongoUri;
  private final ServiceSettings settings;
  private final CacheSettings cacheSettings;
  private final UnaryOperator<ChangePublisher> publishing;
  private CachedDocuments cache;
  private MongoClient mongo;
  private NatsMicroService micro;
  private HttpService http;
  private HoldSweeper sweeper;
  private ReservationJanitor janitor;
  private StockLedger stock;

  public ProductVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings) {
    this(nats, mongoUri, settings, CacheSettings.DEFAULTS);
  }

  public ProductVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings) {
    this(nats, mongoUri, settings, cacheSettings, UnaryOperator.identity());
  }

  /** {@code publishing} wraps the change-notice publisher (tests suppress or watch notices with it). */
  ProductVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings,
                  UnaryOperator<ChangePublisher> publishing) {
    this.nats = nats;
    this.mongoUri = mongoUri;
    this.settings = settings;
    this.cacheSettings = cacheSettings;
    this.publishing = publishing;
  }

  @Override
  public Future<?> start() {
    LogFields.tagService(context, NAME);
    cache = CachedDocuments.open(nats, context, "products", CHANGES_SUBJECT, cacheSettings, publishing);
    mongo = MongoStores.sharedClient(vertx, mongoUri, NAME);
    ProductStore products = new ProductStore(mongo, cache);
    ReservationRecords records = new ReservationRecords(mongo);
    stock = new StockLedger(vertx, mongo, cache);
    Reservations reservations = new Reservations(records, stock);
    sweeper = new HoldSweeper(vertx, mongo, records, stock);
    janitor = new ReservationJanitor(vertx, mongo);
    ApiRouter router = ApiRouter.create(vertx);
    new ProductRoutes(products).mount(router);
    HealthRoutes.mount(router, List.of(MongoStores.healthCheck(mongo), nats.healthCheck()));
    Metrics.mount(router);
    OpenApiRoutes.mount(router, API);
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
        .eventually(() -> sweeper == null ? Future.succeededFuture()
            : Future.join(sweeper.stop(), janitor.stop(), stock.flushSettled()))
        .eventually(() -> cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> mongo == null ? Future.succeededFuture() : MongoStores.close(vertx, mongo));
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
