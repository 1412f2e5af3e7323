package com.reactiveshop.order;

import com.reactiveshop.common.async.AnswerLimit;
import com.reactiveshop.common.health.HealthCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The order service's PostgreSQL: the one holder of its pool. The stores run their statements and transactions
 * through it, and never see the pool itself, so that what a connection may be used for (and when the pool closes)
 * is decided here alone.
 */
final class OrderDatabase {

  /** Also the pool's label in the metrics; deliberately not the URI, which holds the password. */
  static final String POOL_NAME = "order-service-pg";
  /** No statement runs longer; after it, a statement whose answer was lost has certainly ended. */
  static final long STATEMENT_TIMEOUT_MS = 10_000;
  /**
   * How long a client's request waits for a statement or transaction (a pooled connection included) before it is
   * answered 503. The statement timeout above does not help when PostgreSQL does not answer at all (a paused
   * container, a host gone silent): without this a request would wait until the server came back. The outcome of a
   * write given up on is unknown, which the order path already handles (its release intent outlives the statement
   * timeout).
   */
  static final long OPERATION_TIMEOUT_MS = 3_000;

  private final Pool pool;

  /** Over a pool made elsewhere (tests); the service opens its own with {@link #shared}. */
  OrderDatabase(Pool pool) {
    this.pool = pool;
  }

  /**
   * On the pool every order verticle instance of this process shares (same name, shared: closed by the last one that
   * closes it). The wait queue is bounded, so an overloaded database answers "busy" at once instead of piling up.
   */
  static OrderDatabase shared(Vertx vertx, OrderSettings settings) {
    PoolOptions pool = new PoolOptions()
        .setShared(true)
        .setName(POOL_NAME)
        .setMaxSize(settings.poolSize())
        .setMaxWaitQueueSize(settings.poolWaitQueue())
        .setConnectionTimeout(5)
        .setConnectionTimeoutUnit(TimeUnit.SECONDS);
    PgConnectOptions connect = PgConnectOptions.fromUri(settings.pgUri())
        .setCachePreparedStatements(true)
        // A database that accepts connections but does not answer (locks, a full disk) must not hold requests.
        .addProperty("statement_timeout", String.valueOf(STATEMENT_TIMEOUT_MS))
        // Every execution is planned for its own arguments and the tables as they are now (a session setting since
        // PostgreSQL 12). PostgreSQL would otherwise switch a cached statement to a generic plan after its fifth
        // execution and keep it until the table's statistics change: made on the near-empty tables of a new
        // database, the order commit's generic plan scanned idempotency_keys and pending_releases whole on every
        // commit. That cost 24 ms per commit of 27 orders after a minute of orders, and halved the order rate until
        // the first analyze by autovacuum (a minute or more under load). Planning costs about 1 ms per commit.
        .addProperty("plan_cache_mode", "force_custom_plan");
    // A database that cannot be reached should be a fast 503, not a request hanging for the default 60 s.
    NetClientOptions transport = new NetClientOptions().setConnectTimeout(2_000).setTcpNoDelay(true);
    return new OrderDatabase(PgBuilder.pool().with(pool).with(transport).connectingTo(connect).using(vertx).build());
  }

  /**
   * Runs {@code sql} as a prepared statement (prepared once per connection, then cached) on a pooled connection, for
   * as long as it takes: for background work (the outbox relay, the retrier, the janitor), which may legitimately run
   * long under a backlog and tries again anyway, and for group commits, which limit their own time
   * ({@code GroupCommit.answeringWithin}) and watch for answers that come after it.
   */
  Future<RowSet<Row>> execute(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args);
  }

  /**
   * As {@link #execute}, for a client waiting on it: fails with a timeout (503) after {@value #OPERATION_TIMEOUT_MS}
   * ms.
   */
  Future<RowSet<Row>> executeForClient(String sql, Tuple args) {
    return AnswerLimit.within(execute(sql, args), OPERATION_TIMEOUT_MS);
  }

  /**
   * Runs {@code work} in one transaction on one connection: committed if its future succeeds, else rolled back. No
   * time limit: see {@link #execute}.
   */
  <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work);
  }

  /**
   * As {@link #inTransaction}, for a client waiting on it: fails with a timeout (503) after
   * {@value #OPERATION_TIMEOUT_MS} ms.
   */
  <T> Future<T> inTransactionForClient(Function<SqlConnection, Future<T>> work) {
    return AnswerLimit.within(inTransaction(work), OPERATION_TIMEOUT_MS);
  }

  HealthCheck healthCheck() {
    return new HealthCheck("postgresql", () -> pool.query("SELECT 1").execute().map(rows -> (JsonObject) null));
  }

  /** Gives this instance's share of the pool back (the last instance to close it closes the connections). */
  Future<Void> close() {
    return pool.close();
  }
}
