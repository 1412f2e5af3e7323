package com.reactiveshop.order;

import com.reactiveshop.common.async.DrainLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
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
  private final Vertx vertx;
  private final Dependencies dependencies;
  /** The rows of {@code pending_releases}: leased when due, removed (batched) once delivered. */
  private final OrderIntents intents;
  private final long intervalMs;
  private DrainLoop loop;

  ReleaseRetries(Vertx vertx, Dependencies dependencies, OrderIntents intents, long intervalMs) {
    this.vertx = vertx;
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
        () -> retryDue().map(delivered -> delivered == BATCH ? DrainLoop.Next.AT_ONCE : DrainLoop.Next.IDLE));
    loop.start();
  }

  /** Completes when a run in progress has finished, so the pool can then be closed. */
  Future<Void> stop() {
    return loop == null ? Future.succeededFuture() : loop.stop();
  }

  /** Records a release to make, inside the caller's transaction (a cancel): due after one interval. */
  Future<Void> record(SqlClient client, UUID orderId, String reason, String error) {
    return OrderIntents.recordRelease(client, orderId, reason, error, intervalMs);
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
    return intents.leaseDue(intervalMs, BATCH)
        .compose(due -> {
          List<Future<Boolean>> attempts = new ArrayList<>();
          for (OrderIntents.Due release : due) {
            attempts.add(retry(release.orderId(), release.orderStatus()));
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
        .recover(failure -> intents.noteFailure(orderId, failure.toString())
            .map(false)
            .otherwise(false));
  }
}
