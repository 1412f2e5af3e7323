package com.reactiveshop.order;

import com.reactiveshop.common.async.PeriodicTask;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Removes the order service's bookkeeping once it has served its purpose, so that PostgreSQL only grows with the
 * orders themselves (business data, never removed here). What goes, and after how long:
 * <ul>
 *   <li>Idempotency-Key records answered ({@code done}): {@link #KEY_RETENTION} after {@code completed_at}. A client
 *   retrying with the same key within that time gets the first answer again; after it, the key is free and starts a
 *   new order. A day is far beyond any client's retry horizon for one request.</li>
 *   <li>Claims never finished ({@code in_progress}, their process died): once created {@link #KEY_RETENTION} ago and
 *   not claimed again within the lease ({@link OrderSettings#idempotencyLeaseMs()}: nobody is working on them). Kept as
 *   long as answered keys, so a key is not reused within the same horizon; the order id of the claim reserves nothing
 *   after its deletion (a retry gets a new claim and order id), and its stock was already given back through its
 *   release intent ({@link OrderIntents}). Measured from {@code created_at}, which a takeover does not move, so an
 *   order id lives at most a day plus a lease: the product service keeps its released reservations longer than
 *   that.</li>
 *   <li>Outbox rows published: {@link #EVENT_RETENTION} after {@code published_at}. JetStream holds the events from
 *   then on; the hour leaves time to look at what was sent. Unpublished rows are never removed.</li>
 * </ul>
 * {@code pending_releases} rows go when delivered ({@link ReleaseRetries}); nothing is left for this janitor.
 *
 * <p>Every instance runs one, every {@link #INTERVAL_MS}: each statement deletes at most {@link #BATCH} rows, found
 * through an index (V2), and locks them with {@code SKIP LOCKED}, so janitors of several instances do not wait on each
 * other and no statement holds many locks for long. A run repeats a full batch at most {@link #MAX_BATCHES} times per
 * kind, which removes a backlog (after an upgrade) over a few runs instead of in one long burst.
 */
final class OrderJanitor {

  static final Duration KEY_RETENTION = Duration.ofHours(24);
  static final Duration EVENT_RETENTION = Duration.ofHours(1);
  static final long INTERVAL_MS = 60_000;
  static final int BATCH = 1_000;
  static final int MAX_BATCHES = 20;
  private static final Logger LOG = LoggerFactory.getLogger(OrderJanitor.class);

  /** $1 key retention, $2 lease (ms), $3 batch. The created_at condition lets the index find the candidates. */
  private static final String DELETE_KEYS = "DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM"
      + " idempotency_keys WHERE created_at < now() - $1 * interval '1 millisecond'"
      + " AND ((state = 'done' AND completed_at < now() - $1 * interval '1 millisecond')"
      + " OR (state = 'in_progress' AND claimed_at < now() - $2 * interval '1 millisecond'))"
      + " LIMIT $3 FOR UPDATE SKIP LOCKED)";

  /** $1 event retention (ms), $2 batch. */
  private static final String DELETE_EVENTS = "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
      + " WHERE published_at < now() - $1 * interval '1 millisecond' LIMIT $2 FOR UPDATE SKIP LOCKED)";

  /** What one run removed. */
  record Removed(long keys, long events) {
  }

  private final Vertx vertx;
  private final OrderDatabase database;
  private final long leaseMs;
  private PeriodicTask task;

  OrderJanitor(Vertx vertx, OrderDatabase database, long leaseMs) {
    this.vertx = vertx;
    this.database = database;
    this.leaseMs = leaseMs;
  }

  /** Call on the verticle's context: the timer fires there. */
  void start() {
    task = PeriodicTask.every(vertx, INTERVAL_MS, "Order janitor run", this::run);
  }

  /** Completes when a run in progress is done (it stops after its current batch). */
  Future<Void> stop() {
    return task == null ? Future.succeededFuture() : task.stop();
  }

  /** One pass: removes what is past retention now; how many rows of each kind went. */
  Future<Removed> run() {
    Tuple keys = Tuple.of((double) KEY_RETENTION.toMillis(), (double) leaseMs, (long) BATCH);
    Tuple events = Tuple.of((double) EVENT_RETENTION.toMillis(), (long) BATCH);
    return deleteInBatches(DELETE_KEYS, keys, 0, 0).compose(k -> deleteInBatches(DELETE_EVENTS, events, 0, 0)
        .map(e -> new Removed(k, e))).onSuccess(removed -> {
          if (removed.keys() > 0 || removed.events() > 0) {
            LOG.info("Janitor removed {} Idempotency-Key record(s) and {} published outbox event(s)",
                removed.keys(), removed.events());
          }
        });
  }

  /** Runs {@code sql} again while it deletes full batches, at most {@link #MAX_BATCHES} times; the total deleted. */
  private Future<Long> deleteInBatches(String sql, Tuple args, long removed, int batches) {
    return database.execute(sql, args).compose(rows -> {
      long total = removed + rows.rowCount();
      return rows.rowCount() == BATCH && batches + 1 < MAX_BATCHES && (task == null || !task.stopped())
          ? deleteInBatches(sql, args, total, batches + 1)
          : Future.succeededFuture(total);
    });
  }
}
