package com.reactiveshop.order;

import com.reactiveshop.common.async.Deadlines;
import com.reactiveshop.nats.NatsBridge;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The transactional outbox: events are written in the same transaction as the change ({@link #append}), and this
 * relay publishes them afterwards to the JetStream stream {@code ORDERS}, each with {@code Nats-Msg-Id} = its event
 * id so the stream drops a duplicate, and marks them published only after JetStream acknowledged them. It runs
 * periodically and whenever kicked after a commit, so events left unpublished by a stopped process go out after the
 * next start. Rows are taken with {@code FOR UPDATE SKIP LOCKED}, so relays of several instances share the work.
 */
final class OutboxRelay {

  static final String STREAM = "ORDERS";
  static final String CREATED = "orders.events.created";
  static final String CANCELLED = "orders.events.cancelled";
  private static final int BATCH = 100;
  private static final long ACK_TIMEOUT_MS = 5_000;
  private static final int STREAM_NOT_FOUND = 10059;
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final NatsBridge nats;
  private final long intervalMs;
  private JetStream jetStream;
  private long timer = -1;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private Future<Integer> current = Future.succeededFuture(0);

  OutboxRelay(Vertx vertx, Context context, Pool pool, NatsBridge nats, long intervalMs) {
    this.vertx = vertx;
    this.context = context;
    this.pool = pool;
    this.nats = nats;
    this.intervalMs = intervalMs;
  }

  /** Writes one event into the outbox, inside the caller's transaction. */
  static Future<Void> append(SqlClient tx, String subject, JsonObject payload) {
    return tx.preparedQuery("INSERT INTO outbox (id, subject, payload) VALUES ($1, $2, $3)")
        .execute(Tuple.of(UUID.randomUUID(), subject, payload.encode()))
        .mapEmpty();
  }

  /** Creates the stream if missing, then starts publishing; a stream that cannot be made yet is retried later. */
  Future<Void> start() {
    return ensureStream()
        .onFailure(e -> LOG.warn("JetStream stream {} not ready yet, will retry: {}", STREAM, e.toString()))
        .transform(ar -> {
          timer = vertx.setPeriodic(intervalMs, id -> kick());
          kick();
          return Future.succeededFuture();
        });
  }

  /** Stops the timer; completes when a run in progress has finished, so the pool can then be closed. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return current.transform(ar -> Future.succeededFuture());
  }

  /** Publishes what is pending now; if a run is already going, one more run follows it. Call on the context. */
  void kick() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    current = publishBatch();
    current.onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("Outbox relay run failed, will retry: {}", ar.cause().toString());
      } else if (ar.result() == BATCH) {
        again = true;
      }
      if (again && ar.succeeded()) {
        kick();
      }
    });
  }

  /**
   * One batch, oldest first: publishes it and marks what JetStream acknowledged; the count acknowledged (a full
   * batch means there may be more right away).
   */
  Future<Integer> publishBatch() {
    Future<Void> ready = jetStream != null ? Future.succeededFuture() : ensureStream();
    return ready.compose(v -> pool.withTransaction(tx -> tx.preparedQuery("SELECT id, subject, payload FROM outbox"
            + " WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of((long) BATCH))
        .compose(rows -> publishAll(rows)
            .compose(acked -> markPublished(tx, acked).map(acked.size())))));
  }

  private Future<List<UUID>> publishAll(RowSet<Row> rows) {
    // Sent one after another on one connection, so JetStream stores them in outbox order; acks are awaited together.
    List<Future<UUID>> sends = new ArrayList<>();
    for (Row row : rows) {
      sends.add(publish(row.getUUID("id"), row.getString("subject"), row.getString("payload")));
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

  private Future<UUID> publish(UUID id, String subject, String payload) {
    Promise<UUID> acked = Promise.promise();
    Headers headers = new Headers().put("Nats-Msg-Id", id.toString());
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
    return Deadlines.within(vertx, acked.future(), ACK_TIMEOUT_MS,
        () -> new TimeoutException("no JetStream ack within " + ACK_TIMEOUT_MS + " ms"));
  }

  private static Future<Void> markPublished(SqlClient tx, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("UPDATE outbox SET published_at = now() WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(UUID[]::new)))
        .mapEmpty();
  }

  /** JetStream management calls wait on the network: on a worker. */
  private Future<Void> ensureStream() {
    return vertx.executeBlocking(() -> {
      JetStreamManagement management = nats.connection().jetStreamManagement();
      try {
        management.getStreamInfo(STREAM);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
          throw e;
        }
        createStream(management);
      }
      return nats.connection().jetStream();
    }, false).map(js -> {
      jetStream = js;
      return null;
    });
  }

  private static void createStream(JetStreamManagement management) throws Exception {
    try {
      management.addStream(StreamConfiguration.builder()
          .name(STREAM)
          .subjects("orders.events.>")
          .storageType(StorageType.File)
          // Nats-Msg-Id duplicates are dropped within this window: it covers a relay retrying after a lost ack.
          .duplicateWindow(Duration.ofMinutes(2))
          .build());
      LOG.info("Created JetStream stream {}", STREAM);
    } catch (JetStreamApiException e) {
      // Another instance created it meanwhile: fine.
      LOG.debug("Stream {} not created here: {}", STREAM, e.getMessage());
    }
  }
}
