package com.reactiveshop.user;

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
 * The user service, as its host runs it ({@link ServiceHost}). Routes are those of every collection of documents by id
 * ({@link DocumentRoutes}), NATS endpoints in {@link UserEndpoints}. Users read by id are cached in the process
 * ({@link CachedDocuments}); each change is announced on {@value #CHANGES_SUBJECT}.
 */
public class UserVerticle extends ServiceHost {

  public static final String NAME = "user-service";
  public static final String VERSION = "1.0.0";
  public static final String API = "/api/users";
  /** Core NATS subject of the user change notices ({@code {"id", "version"?}}), heard by every process. */
  public static final String CHANGES_SUBJECT = "users.changed";

  private final NatsBridge nats;
  private final String mongoUri;
  private final CacheSettings cacheSettings;
  private final UnaryOperator<ChangePublisher> publishing;

  public UserVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings) {
    this(nats, mongoUri, settings, CacheSettings.DEFAULTS);
  }

  public UserVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings) {
    this(nats, mongoUri, settings, cacheSettings, UnaryOperator.identity());
  }

  /** {@code publishing} wraps the change-notice publisher (tests suppress or watch notices with it). */
  UserVerticle(NatsBridge nats, String mongoUri, ServiceSettings settings, CacheSettings cacheSettings,
               UnaryOperator<ChangePublisher> publishing) {
    super(new ServiceIdentity(NAME, VERSION, API, "Users: lookup by id"), settings);
    this.nats = nats;
    this.mongoUri = mongoUri;
    this.cacheSettings = cacheSettings;
    this.publishing = publishing;
  }

  @Override
  protected void declare(ServiceDeclaration service) {
    MongoClient mongo = MongoStores.sharedClient(service, vertx, mongoUri, NAME);
    CachedDocuments cache = CachedDocuments.open(service, nats, context, "users", CHANGES_SUBJECT, cacheSettings,
        publishing);
    UserStore store = new UserStore(mongo, cache);
    service.routes(router -> DocumentRoutes.mount(router, API, store, User::fromRequest, UserIds::notFound))
        .healthChecks(MongoStores.healthCheck(mongo), nats.healthCheck())
        .answerWithin(MongoStores.CLIENT_WAIT_MS)
        .prepare(store::createIndexes)
        .endpoints(NatsMicroService.endpoints(nats, new UserEndpoints(store).endpoints()));
  }
}
