package com.reactiveshop.user;

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
 * The user service: wiring only. Routes are in {@link UserRoutes}, NATS endpoints in {@link UserEndpoints}. Users read
 * by id are cached in the process ({@link CachedDocuments}); each change is announced on {@value #CHANGES_SUBJECT}.
 */
public class UserVerticle extends VerticleBase {

  public static final String NAME = "user-service";
  public static final String VERSION = "1.0.0";
  public static final String API = "/api/users";
  /** Core NATS subject of the user change notices ({@code {"id", "version"?}}), heard by every process. */
  public static final String CHANGES_SUBJECT = "users.changed";

  private final NatsBridge nats;
  private final String mongoUri;
  private final ServiceSettings settings;
  private final CacheSettings cacheSettings;
  private final UnaryOperator<ChangePublisher> publishing;
  private CachedDocuments cache;
  private MongoClient mongo;
  private NatsMicroService micro;
  private HttpService http;

  public UserVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings) {
    this(nats, mongoUri, settings, CacheSettings.DEFAULTS);
  }

  public UserVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings) {
    this(nats, mongoUri, settings, cacheSettings, UnaryOperator.identity());
  }

  /** {@code publishing} wraps the change-notice publisher (tests suppress or watch notices with it). */
  UserVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings,
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
    cache = CachedDocuments.open(nats, context, "users", CHANGES_SUBJECT, cacheSettings, publishing);
    mongo = MongoStores.sharedClient(vertx, mongoUri, NAME);
    UserStore store = new UserStore(mongo, cache);
    ApiRouter router = ApiRouter.create(vertx);
    new UserRoutes(store).mount(router);
    HealthRoutes.mount(router, List.of(MongoStores.healthCheck(mongo), nats.healthCheck()));
    Metrics.mount(router);
    OpenApiRoutes.mount(router, API);
    return store.createIndexes()
        .compose(v -> NatsMicroService.start(nats, context, NAME, VERSION, "Users: lookup by id",
            new UserEndpoints(store).endpoints()))
        .compose(started -> {
          micro = started;
          return HttpService.start(vertx, settings, NAME, API, router.build());
        })
        .onSuccess(started -> http = started)
        // Vert.x does not call stop() after a failed start: undo what did start (the NATS endpoints would keep
        // answering for a verticle that is not deployed).
        .recover(failure -> stop().transform(ignored -> Future.failedFuture(failure)));
  }

  @Override
  public Future<?> stop() {
    Future<Void> httpStopped = http == null ? Future.succeededFuture() : http.stop();
    return httpStopped
        .eventually(() -> micro == null ? Future.succeededFuture() : micro.stop())
        .eventually(() -> cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> mongo == null ? Future.succeededFuture() : MongoStores.close(vertx, mongo));
  }

  /** The port actually bound (useful when the settings asked for 0). */
  public int httpPort() {
    return http.port();
  }
}
