package com.reactiveshop.product;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.cache.ChangePublisher;
import com.reactiveshop.common.http.DocumentRoutes;
import com.reactiveshop.common.mongo.MongoStores;
import com.reactiveshop.common.service.ServiceDeclaration;
import com.reactiveshop.common.service.ServiceHost;
import com.reactiveshop.common.service.ServiceIdentity;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsMicroService;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.ext.mongo.MongoClient;

import java.util.function.UnaryOperator;

/**
 * The product service, as its host runs it ({@link ServiceHost}). Routes are those of every collection of documents by
 * id ({@link DocumentRoutes}), NATS endpoints in {@link ProductEndpoints}, the reservation protocol in
 * {@link Reservations}, recovery of stuck holds in {@link HoldSweeper}, removal of reservation records past their
 * retention in {@link ReservationJanitor}. Products read by id are cached in the process ({@link CachedDocuments});
 * each change is announced on {@value #CHANGES_SUBJECT}.
 */
public class ProductVerticle extends ServiceHost {

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
  private final CacheSettings cacheSettings;
  private final UnaryOperator<ChangePublisher> publishing;

  public ProductVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings) {
    this(nats, mongoUri, settings, CacheSettings.DEFAULTS);
  }

  public ProductVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings) {
    this(nats, mongoUri, settings, cacheSettings, UnaryOperator.identity());
  }

  /** {@code publishing} wraps the change-notice publisher (tests suppress or watch notices with it). */
  ProductVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings,
                  UnaryOperator<ChangePublisher> publishing) {
    super(new ServiceIdentity(NAME, VERSION, API, "Products: batch lookup, stock reservation"), settings);
    this.nats = nats;
    this.mongoUri = mongoUri;
    this.cacheSettings = cacheSettings;
    this.publishing = publishing;
  }

  @Override
  protected void declare(ServiceDeclaration service) {
    MongoClient mongo = MongoStores.sharedClient(service, vertx, mongoUri, NAME);
    CachedDocuments cache = CachedDocuments.open(service, nats, context, "products", CHANGES_SUBJECT, cacheSettings,
        publishing);
    ProductStore products = new ProductStore(mongo, cache);
    ReservationRecords records = new ReservationRecords(mongo);
    StockLedger stock = new StockLedger(vertx, mongo, cache);
    Reservations reservations = new Reservations(records, stock);
    HoldSweeper sweeper = new HoldSweeper(vertx, mongo, records, stock);
    ReservationJanitor janitor = new ReservationJanitor(vertx, mongo);
    service.routes(router -> DocumentRoutes.mount(router, API, products, Product::fromRequest, ProductIds::notFound))
        .healthChecks(MongoStores.healthCheck(mongo), nats.healthCheck())
        .answerWithin(MongoStores.CLIENT_WAIT_MS)
        .endpoints(NatsMicroService.endpoints(nats, new ProductEndpoints(products, reservations).endpoints()))
        .runOnceServing(sweeper::start, sweeper::stop)
        .runOnceServing(janitor::start, janitor::stop)
        .finishing(stock::flushSettled);
  }

  /** The id of this instance in the NATS Services API ({@code $SRV.INFO}, {@code $SRV.STATS}). */
  public String natsServiceId() {
    return endpointsId();
  }
}
