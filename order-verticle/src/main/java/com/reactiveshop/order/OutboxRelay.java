package com.reactiveshop.order;

import com.reactiveshop.common.async.Deadlines;
import com.reactiveshop.common.async.DrainLoop;
import com.reactiveshop.common.ids.RandomUuids;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsTracing;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The transactional outbox: events are written in the same transaction as the change ({@link #append}), and this
 * relay publishes them afterwards to the JetStream stream {@code ORDERS}, each with {@code Nats-Msg-Id} = its event
 * id so the stream drops a duplicate, and marks them published only after JetStream acknowledged them. It runs
 * periodically and whenever kicked after a commit, so events left unpublished by a stopped process go out after the
 * next start.
 *
 * <p><b>Leases, not open transactions.</b> A run leases up to {@link #BATCH} rows with one UPDATE that commits at once
 * ({@code lease_owner} = a token of this run, {@code leased_until} = now + {@link #LEASE_MS}), publishes them, then
 * in one more statement marks the acknowledged ones published and frees the others, both only where the lease is
 * still this run's. No transaction is open while JetStream answers. Relays of every instance and process share the
 * table: a leased row is skipped by the others until its lease runs out, which is how the rows of a relay that died
 * mid-run are picked up again. The lease is longer than a run can hold a row ({@link #ACK_TIMEOUT_MS} for the acks,
 * then at most {@link OrderDatabase#STATEMENT_TIMEOUT_MS} for the marking statement).
 *
 * <p><b>Order per order.</b> A row is only leased if no earlier (lower {@code seq}) row of the same order is still
 * unpublished, leased by anyone or not. So an order's {@code cancelled} is never sent before its {@code created} has
 * been acknowledged by JetStream, whichever relays hold which rows, and never in the same batch (where a failed
 * created followed by a stored cancelled would also invert them). The created row is always committed, with a lower
 * seq, before the cancel's transaction can even find the order, so the check cannot miss it. Events of different
 * orders are not ordered against each other, as before. Rows without an {@code order_id} (written before V2 by an
 * older version) are published without the check.
 *
 * <p>Why not one active relay holding {@code pg_try_advisory_lock} and publishing strictly in seq order: it needs a
 * connection held outside the pool for ever, its failover waits until PostgreSQL notices the holder's connection is
 * dead, a holder whose NATS connection is down stops everyone, and within a batch a failed publish followed by a
 * successful one would still invert an order's events unless every failure stopped the batch. Leases keep the
 * existing sharing of work and need no connection of their own; the price is that a cancelled event published right
 * after its order waits for the next run (a kick or the next tick) once the created one is marked.
 *
 * <p><b>The stream's limits</b> ({@link #ensureStream}): events are kept {@link #MAX_AGE} and at most
 * {@link #MAX_BYTES}, the oldest dropped first; consumers that stay away longer miss events (the orders themselves
 * stay in PostgreSQL). Duplicates by {@code Nats-Msg-Id} are dropped within {@link #DUPLICATE_WINDOW}. A stream that
 * exists with other values gets these (an update, no message is deleted except by the new limits themselves).
 *
 * <p><b>Tracing.</b> An event written while a traced request is handled keeps that request's {@code traceparent} in
 * its row; its publication is then a PRODUCER span in that trace, whose context the message carries in its
 * {@code traceparent} header, so a consumer continues the order's trace. Relay runs themselves belong to no request:
 * they run on the relay's own context ({@link DrainLoop}), never on the context of the request that kicked them.
 */
final class OutboxRelay {

  static final String STREAM = "ORDERS";
  static final String CREATED = "orders.events.created";
  static final String CANCELLED = "orders.events.cancelled";
  /** A week: enough for a consumer to be down over a long weekend and catch up; the orders stay in PostgreSQL. */
  static final Duration MAX_AGE = Duration.ofDays(7);
  /**
   * 512 MiB (about a million events of ~500 bytes). nats-server reserves a stream's max bytes against its store limit
   * (75 % of the free disk by default) and refuses a stream that does not fit: 1 GiB would not fit the 1 GiB volume
   * of k8s/infrastructure.yaml.
   */
  static final long MAX_BYTES = 512L * 1024 * 1024;
  /**
   * A row is published again only after its ack was lost or late (then the next run, about a second later, retries
   * it), or after its relay died or could not mark it (then another relay retries once the lease ran out). So the
   * longest gap between two publishes of one event is about {@link #LEASE_MS} + {@link #ACK_TIMEOUT_MS} + the
   * marking statement's timeout + one interval, under a minute; five minutes also cover a PostgreSQL outage of a few
   * minutes between the ack and the marking. JetStream keeps every id of the window in memory, so it is not longer.
   */
  static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(5);
  static final long LEASE_MS = 30_000;
  /**
   * Rows per run. A full batch is followed by the next run at once, so under load the runs follow each other without
   * the coalescing window and a backlog drains at the speed of JetStream's acks and two statements per batch.
   */
  static final int BATCH = 500;
  private static final long ACK_TIMEOUT_MS = 5_000;
  private static final int STREAM_NOT_FOUND = 10059;
  /** How long a kick waits for more commits to share its run: events reach JetStream this much later at most. */
  static final long COALESCE_MS = 50;
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  private static final String APPEND =
      insertFrom("(VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::text))");

  /**
   * $1 token, $2 lease in ms, $3 batch size: leases the next rows in seq order that no relay holds and that no earlier
   * unpublished event of their order holds back. A function of migration V4, so that it is planned as an ordered walk
   * of the unpublished rows however stale the statistics are. Its rows have no order: the caller sorts by seq.
   */
  private static final String LEASE = "SELECT id, subject, payload, seq, traceparent FROM outbox_lease($1, $2, $3)";

  /** $1 acknowledged ids, $2 every id of the run, $3 its token: marks the acked, frees the rest of the lease. */
  private static final String SETTLE = "UPDATE outbox"
      + " SET published_at = CASE WHEN id = ANY($1) THEN now() ELSE published_at END,"
      + " lease_owner = NULL, leased_until = NULL WHERE id = ANY($2) AND lease_owner = $3";

  private final Vertx vertx;
  private final Context context;
  private final OrderDatabase database;
  private final NatsBridge nats;
  /** Null when Vert.x does not trace. */
  private final NatsTracing tracing;
  private final DrainLoop loop;
  private JetStream jetStream;

  /** {@code traceparent}: of the request that wrote the event, or null. */
  private record Event(UUID id, String subject, String payload, long seq, String traceparent) {
  }

  OutboxRelay(Vertx vertx, Context context, OrderDatabase database, NatsBridge nats, long intervalMs) {
    this.vertx = vertx;
    this.context = context;
    this.database = database;
    this.nats = nats;
    this.tracing = nats.tracing();
    this.loop = new DrainLoop(vertx, context, "Outbox relay run", intervalMs, COALESCE_MS,
        () -> publishBatch().map(Run::next));
  }

  /** One run: how many rows it leased, and how many of them JetStream acknowledged (and are marked published). */
  record Run(int leased, int acked) {

    static final Run NOTHING = new Run(0, 0);

    /**
     * A full batch acknowledged: more is probably waiting, so the next run follows at once. Some acknowledged: events
     * held back behind the ones just marked (an order's cancelled behind its created) can go now, after the window.
     * None: the next tick or kick (a JetStream that fails every publish is not hammered).
     */
    DrainLoop.Next next() {
      if (acked == BATCH) {
        return DrainLoop.Next.AT_ONCE;
      }
      return acked > 0 ? DrainLoop.Next.AFTER_WINDOW : DrainLoop.Next.IDLE;
    }
  }

  /** Writes one event about the order {@code payload} describes (its "id") into the outbox, in the caller's tx. */
  static Future<Void> append(SqlClient tx, String subject, JsonObject payload) {
    return append(tx, subject, payload, null);
  }

  /** As {@link #append(SqlClient, String, JsonObject)}, keeping the trace ({@code traceparent}, may be null). */
  static Future<Void> append(SqlClient tx, String subject, JsonObject payload, String traceparent) {
    UUID orderId = UUID.fromString(Objects.requireNonNull(payload.getString("id"), "an order event names its order"));
    return tx.preparedQuery(APPEND)
        .execute(Tuple.of(OrderIds.next(), subject, payload.encode(), orderId, traceparent))
        .mapEmpty();
  }

  /**
   * The outbox's one insert: the events of the relation {@code source}, whose columns are, in this order, the event
   * id, subject, payload (the order's JSON), order id and traceparent (NULL when untraced). {@link #append} runs it
   * for one event; the statement that stores new orders ({@link OrderCommit}) embeds it for their created events.
   */
  static String insertFrom(String source) {
    return "INSERT INTO outbox (id, subject, payload, order_id, traceparent)"
        + " SELECT id, subject, payload, order_id, traceparent"
        + " FROM " + source + " AS ev(id, subject, payload, order_id, traceparent)";
  }

  /** Creates (or brings up to date) the stream, then starts publishing; a stream not ready yet is retried later. */
  Future<Void> start() {
    return ensureStream()
        .onFailure(e -> LOG.warn("JetStream stream {} not ready yet, will retry: {}", STREAM, e.toString()))
        .transform(ar -> {
          loop.start();
          loop.drainNow();
          return Future.succeededFuture();
        });
  }

  /** Stops the runs; completes when a run in progress has finished, so the pool can then be closed. */
  Future<Void> stop() {
    return loop.stop();
  }

  /**
   * Publishes what is pending, within {@link #COALESCE_MS}: the commits of that window share one run (one lease and
   * one mark statement for all their events, instead of two statements per order under load). If a run is already
   * going, one more follows it. Call on the context (or a request's context on its event loop): the run itself
   * happens on the relay's own context, so it is not part of the request that kicked it.
   */
  void kick() {
    loop.kick();
  }

  /** One run: leases a batch, publishes it, marks what JetStream acknowledged. */
  Future<Run> publishBatch() {
    if (!nats.isConnected()) {
      // jnats would buffer the messages until it reconnects and send them then, possibly after another relay has
      // published them and their successors: do not hand it any while it is down.
      return Future.succeededFuture(Run.NOTHING);
    }
    Future<Void> ready = jetStream != null ? Future.succeededFuture() : ensureStream();
    UUID token = RandomUuids.next();
    return ready.compose(v -> lease(token)).compose(events -> events.isEmpty()
        ? Future.succeededFuture(Run.NOTHING)
        : publishAll(events).compose(acked -> settle(token, events, acked)
            .map(new Run(events.size(), acked.size()))));
  }

  private Future<List<Event>> lease(UUID token) {
    return database.execute(LEASE, Tuple.of(token, (double) LEASE_MS, (long) BATCH)).map(rows -> {
      List<Event> events = new ArrayList<>();
      for (Row row : rows) {
        events.add(new Event(row.getUUID("id"), row.getString("subject"), row.getString("payload"),
            row.getLong("seq"), row.getString("traceparent")));
      }
      events.sort(Comparator.comparingLong(Event::seq));
      return events;
    });
  }

  private Future<List<UUID>> publishAll(List<Event> events) {
    // Sent one after another on one connection, so JetStream stores them in outbox order; acks are awaited together.
    List<Future<UUID>> sends = new ArrayList<>();
    for (Event event : events) {
      sends.add(publish(event));
    }
    return Future.join(sends).transform(done -> {
      List<UUID> acked = new ArrayList<>();
      for (Future<UUID> send : sends) {
        if (send.succeeded()) {
          acked.add(send.result());
        } else {
          LOG.warn("Event not acknowledged by JetStream, will retry: {}", send.cause().toString());
          jetStream = null; // check the stream again before the next batch
        }
      }
      return Future.succeededFuture(acked);
    });
  }

  private Future<UUID> publish(Event event) {
    UUID id = event.id();
    String subject = event.subject();
    String payload = event.payload();
    Promise<UUID> acked = Promise.promise();
    Headers headers = new Headers().put("Nats-Msg-Id", id.toString());
    Span span = tracing == null ? null : tracing.publish(subject, event.traceparent(), headers);
    try {
      jetStream.publishAsync(subject, headers, payload.getBytes(StandardCharsets.UTF_8))
          // The ack arrives on a jnats thread: hand it back to this verticle's context.
          .whenComplete((ack, failure) -> context.runOnContext(v -> {
            if (failure == null) {
              acked.tryComplete(id);
            } else {
              acked.tryFail(failure);
            }
          }));
    } catch (RuntimeException e) {
      acked.tryFail(e);
    }
    Future<UUID> published = Deadlines.within(vertx, acked.future(), ACK_TIMEOUT_MS,
        () -> new TimeoutException("no JetStream ack within " + ACK_TIMEOUT_MS + " ms"));
    if (span != null) {
      published.onComplete(ar -> NatsTracing.end(span, ar.cause()));
    }
    return published;
  }

  /**
   * Marks the acknowledged events published and frees the lease of the others, so the next run retries them at once
   * rather than after the lease. If this statement fails, the rows stay leased and are published again (and dropped
   * by JetStream as duplicates) once the lease has run out.
   */
  private Future<Void> settle(UUID token, List<Event> events, List<UUID> acked) {
    UUID[] all = events.stream().map(Event::id).toArray(UUID[]::new);
    return database.execute(SETTLE, Tuple.of(acked.toArray(UUID[]::new), all, token)).mapEmpty();
  }

  /** Creates the stream with its limits, or updates an existing one whose limits differ. On a worker: it blocks. */
  private Future<Void> ensureStream() {
    return vertx.executeBlocking(() -> {
      JetStreamManagement management = nats.connection().jetStreamManagement();
      StreamInfo info = streamInfo(management);
      if (info == null) {
        try {
          management.addStream(withLimits(StreamConfiguration.builder()
              .name(STREAM)
              .subjects("orders.events.>")
              .storageType(StorageType.File)));
          LOG.info("Created JetStream stream {}", STREAM);
          return nats.connection().jetStream();
        } catch (JetStreamApiException e) {
          // Another instance may have created it meanwhile; if not, this failure is the answer.
          info = streamInfo(management);
          if (info == null) {
            throw e;
          }
        }
      }
      StreamConfiguration existing = info.getConfiguration();
      if (!hasLimits(existing)) {
        // Only the limits change: subjects, storage and every other setting of the existing stream are kept.
        management.updateStream(withLimits(StreamConfiguration.builder(existing)));
        LOG.info("Updated the limits of JetStream stream {}: max age {} (was {}), max bytes {} (was {}),"
                + " discard {} (was {}), duplicate window {} (was {})", STREAM, MAX_AGE, existing.getMaxAge(),
            MAX_BYTES, existing.getMaxBytes(), DiscardPolicy.Old, existing.getDiscardPolicy(), DUPLICATE_WINDOW,
            existing.getDuplicateWindow());
      }
      return nats.connection().jetStream();
    }, false).map(js -> {
      jetStream = js;
      return null;
    });
  }

  private static StreamInfo streamInfo(JetStreamManagement management) throws IOException, JetStreamApiException {
    try {
      return management.getStreamInfo(STREAM);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  static StreamConfiguration withLimits(StreamConfiguration.Builder builder) {
    return builder.maxAge(MAX_AGE)
        .maxBytes(MAX_BYTES)
        .discardPolicy(DiscardPolicy.Old)
        .duplicateWindow(DUPLICATE_WINDOW)
        .build();
  }

  static boolean hasLimits(StreamConfiguration config) {
    return MAX_AGE.equals(config.getMaxAge()) && config.getMaxBytes() == MAX_BYTES
        && config.getDiscardPolicy() == DiscardPolicy.Old && DUPLICATE_WINDOW.equals(config.getDuplicateWindow());
  }
}
