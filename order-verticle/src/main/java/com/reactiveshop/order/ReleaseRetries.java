package com.reactiveshop.order;

import com.reactiveshop.common.async.DrainLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Gives reserved stock back ({@code products.release}) and makes sure it happens: every release to make is a row in
 * {@code pending_releases} (an order's intent, written before it reserves, see {@link OrderIntents}, or a cancel's),
 * delivered at once where the caller can, else retried periodically once due, until the product service takes it,
 * also after a restart. Releases are idempotent on the product side, so retrying one that did arrive is harmless.
 * A pending release whose order turns out to be CONFIRMED (its commit did happen after all) is dropped, never sent:
 * that stock belongs to a live order.
 */
final class ReleaseRetries {

  private static final Logger LOG = LoggerFactory.getLogger(ReleaseRetries.class);
  private static final int BATCH = 50;
  /** $1 the lease (ms), $2 the batch: the due rows, each with the status of its order if it was stored. */
  private static final String LEASE_DUE = "UPDATE pending_releases p SET attempts = p.attempts + 1,"
      + " next_attempt_at = now() + $1 * interval '1 millisecond'"
      + " WHERE p.order_id IN (SELECT order_id FROM pending_releases WHERE next_attempt_at <= now()"
      + " ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
      + " RETURNING p.order_id, (SELECT o.status FROM orders o WHERE o.id = p.order_id) AS order_status";

  private final Vertx vertx;
  private final OrderDatabase database;
  private final Dependencies dependencies;
  /** A delivered release's row goes through it, batched with the other removals. */
  private final OrderIntents intents;
  private final long intervalMs;
  private DrainLoop loop;

  ReleaseRetries(Vertx vertx, OrderDatabase database, Dependencies dependencies, OrderIntents intents,
                 long intervalMs) {
    this.vertx = vertx;
    this.database = database;
    this.dependencies = dependencies;
    this.intents = intents;
    this.intervalMs = intervalMs;
  }

  /**
   * Call on the verticle's context: retries run there every interval, batch after batch at once while full ones keep
   * being delivered (a backlog after an outage), then wait for the next tick.
   */
  void start() {
    loop = new DrainLoop(vertx, vertx.getOrCreateContext(), "Pending release retry", intervalMs, 0,
        () -> retryDue().map(delivered -> delivered == BATCH));
    loop.start();
  }

  /** Completes when a run in progress has finished, so the pool can then be closed. */
  Future<Void> stop() {
    return loop == null ? Future.succeededFuture() : loop.stop();
  }

  /** Records a release to make, inside the caller's transaction (a cancel): due after one interval. */
  Future<Void> record(SqlClient client, UUID orderId, String reason, String error) {
    return client.preparedQuery("INSERT INTO pending_releases (order_id, reason, last_error, next_attempt_at)"
            + " VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')"
            + " ON CONFLICT (order_id) DO UPDATE SET last_error = EXCLUDED.last_error")
        .execute(Tuple.of(orderId, reason, error, (double) intervalMs))
        .mapEmpty();
  }

  /**
   * Tries a recorded release now: on success the record goes; on failure it stays for the periodic retry. Never
   * fails: the caller's answer does not depend on it.
   */
  Future<Void> deliver(UUID orderId) {
    return dependencies.release(orderId)
        .compose(reply -> intents.forget(orderId))
        .recover(failure -> {
          LOG.warn("Release of order {} not delivered yet, will retry: {}", orderId, failure.toString());
          return Future.succeededFuture();
        });
  }

  /**
   * Takes the due records (leasing each for one interval, so other instances skip them) and retries them; returns
   * how many were delivered or dropped.
   */
  Future<Integer> retryDue() {
    return database.execute(LEASE_DUE, Tuple.of((double) intervalMs, (long) BATCH))
        .compose(rows -> {
          List<Future<Boolean>> attempts = new ArrayList<>();
          for (Row row : rows) {
            attempts.add(retry(row.getUUID("order_id"), row.getString("order_status")));
          }
          return Future.join(attempts).transform(done ->
              Future.succeededFuture((int) attempts.stream().filter(a -> a.succeeded() && a.result()).count()));
        });
  }

  private Future<Boolean> retry(UUID orderId, String orderStatus) {
    Future<Void> done = Order.CONFIRMED.equals(orderStatus)
        ? Future.succeededFuture()
        : dependencies.release(orderId).mapEmpty();
    return done
        .compose(v -> intents.forget(orderId))
        .map(true)
        .recover(failure -> database.execute("UPDATE pending_releases SET last_error = $2 WHERE order_id = $1",
            Tuple.of(orderId, failure.toString()))
            .map(false)
            .otherwise(false));
  }
}
