package com.reactiveshop.order;

import com.reactiveshop.common.async.PeriodicTask;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * What the order service still has to deliver, as gauges read from PostgreSQL every {@link #INTERVAL_MS}:
 * {@code order_outbox_backlog} (events not yet published to JetStream), {@code order_outbox_oldest_age_seconds} (how
 * long the oldest of them has waited; 0 when none) and {@code order_release_retries_pending} (stock releases the
 * retrier still has to deliver: cancels' releases and releases that failed at least once, not the intents of orders
 * in progress). The tables are shared by every instance, so these are the service's figures, not one instance's; the
 * latest reading of any instance of the process is exported. One small statement per interval, off the order path.
 */
final class OrderBacklog {

  static final long INTERVAL_MS = 5_000;

  /** One statement: three index-backed counts over small row sets (the unpublished events, the pending releases). */
  private static final String READ = "SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL),"
      + " (SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 FROM outbox"
      + " WHERE published_at IS NULL),"
      + " (SELECT count(*) FROM pending_releases WHERE attempts > 0 OR reason <> $1)";

  /** The latest reading in this process (one process runs one order service, however many instances). */
  private static volatile double outboxBacklog;
  private static volatile double outboxOldestAgeSeconds;
  private static volatile double releasesPending;

  private final Vertx vertx;
  private final OrderDatabase database;
  private PeriodicTask task;

  OrderBacklog(Vertx vertx, OrderDatabase database) {
    this.vertx = vertx;
    this.database = database;
  }

  /** Registers the gauges (once per registry) and starts reading; call on the verticle's context. */
  void start() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      Gauge.builder("order.outbox.backlog", () -> outboxBacklog)
          .description("Order events not yet published to JetStream").register(registry);
      Gauge.builder("order.outbox.oldest.age.seconds", () -> outboxOldestAgeSeconds)
          .description("Seconds the oldest unpublished order event has waited (0: none waits)").register(registry);
      Gauge.builder("order.release.retries.pending", () -> releasesPending)
          .description("Stock releases the retrier has yet to deliver").register(registry);
    }
    task = PeriodicTask.every(vertx, INTERVAL_MS, "Order backlog reading", this::read);
  }

  /** Reads the figures now. */
  Future<Void> read() {
    return database.execute(READ, Tuple.of(OrderIntents.REASON)).map(rows -> {
      Row row = rows.iterator().next();
      outboxBacklog = row.getLong(0);
      outboxOldestAgeSeconds = row.getDouble(1);
      releasesPending = row.getLong(2);
      return null;
    });
  }

  Future<Void> stop() {
    return task == null ? Future.succeededFuture() : task.stop();
  }
}
