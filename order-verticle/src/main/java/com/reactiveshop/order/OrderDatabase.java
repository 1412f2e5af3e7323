package com.reactiveshop.order;

import com.reactiveshop.common.health.HealthCheck;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.concurrent.TimeUnit;

/** The process's one PostgreSQL pool for the order service, and its readiness check. */
final class OrderDatabase {

  /** Also the pool's label in the metrics; deliberately not the URI, which holds the password. */
  static final String POOL_NAME = "order-service-pg";
  /** No statement runs longer; after it, a statement whose answer was lost has certainly ended. */
  static final long STATEMENT_TIMEOUT_MS = 10_000;

  private OrderDatabase() {
  }

  /**
   * The pool every order verticle instance of this process shares (same name, shared: closed by the last one that
   * closes it). The wait queue is bounded, so an overloaded database answers "busy" at once instead of piling up.
   */
  static Pool sharedPool(Vertx vertx, OrderSettings settings) {
    PoolOptions pool = new PoolOptions()
        .setShared(true)
        .setName(POOL_NAME)
        .setMaxSize(settings.poolSize())
        .setMaxWaitQueueSize(settings.poolWaitQueue())
        .setConnectionTimeout(5)
        .setConnectionTimeoutUnit(TimeUnit.SECONDS);
    // A database that accepts connections but does not answer (locks, a full disk) must not hold requests for ever.
    PgConnectOptions connect = PgConnectOptions.fromUri(settings.pgUri())
        .setCachePreparedStatements(true)
        .addProperty("statement_timeout", String.valueOf(STATEMENT_TIMEOUT_MS));
    // A database that cannot be reached should be a fast 503, not a request hanging for the default 60 s.
    NetClientOptions transport = new NetClientOptions().setConnectTimeout(2_000).setTcpNoDelay(true);
    return PgBuilder.pool().with(pool).with(transport).connectingTo(connect).using(vertx).build();
  }

  static HealthCheck healthCheck(Pool pool) {
    return new HealthCheck("postgresql", () -> pool.query("SELECT 1").execute().map(rows -> (JsonObject) null));
  }
}
