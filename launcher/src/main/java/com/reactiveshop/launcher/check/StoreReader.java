package com.reactiveshop.launcher.check;

import com.reactiveshop.launcher.check.Snapshot.Event;
import com.reactiveshop.launcher.check.Snapshot.Hold;
import com.reactiveshop.launcher.check.Snapshot.IdempotencyKey;
import com.reactiveshop.launcher.check.Snapshot.Order;
import com.reactiveshop.launcher.check.Snapshot.OutboxRow;
import com.reactiveshop.launcher.check.Snapshot.Pending;
import com.reactiveshop.launcher.check.Snapshot.Product;
import com.reactiveshop.launcher.check.Snapshot.Reservation;
import io.nats.client.Connection;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StreamInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Reads a {@link Snapshot} straight from the stores, with its own clients (nothing goes through the services):
 * the product service's MongoDB database {@code product-service}, the order service's PostgreSQL database, and the
 * JetStream stream {@code ORDERS} (whole, with an ordered consumer). Blocking: for a command line or a test thread.
 */
public final class StoreReader implements AutoCloseable {

  static final String PRODUCT_DATABASE = "product-service";
  static final String STREAM = "ORDERS";
  private static final int STREAM_NOT_FOUND = 10059;
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern UUID_SHAPE = Pattern.compile("[0-9a-fA-F-]{36}");

  private final Vertx vertx;
  private final MongoClient mongo;
  private final Pool pg;
  private final String natsUrl;
  private Connection nats;
  /** Set by {@link #readEvents}: see {@link Snapshot#streamExpiredBefore}. */
  private Long streamExpiredBefore;

  private StoreReader(Vertx vertx, MongoClient mongo, Pool pg, String natsUrl) {
    this.vertx = vertx;
    this.mongo = mongo;
    this.pg = pg;
    this.natsUrl = natsUrl;
  }

  /** {@code natsUrl} may be null: the events are then not read (and not checked). */
  public static StoreReader connect(String mongoUri, String pgUri, String natsUrl) {
    Vertx vertx = Vertx.vertx();
    JsonObject mongoConfig = new JsonObject().put("connection_string", mongoUri).put("db_name", PRODUCT_DATABASE)
        .put("serverSelectionTimeoutMS", 5_000).put("connectTimeoutMS", 5_000).put("socketTimeoutMS", 60_000)
        .put("maxPoolSize", 4);
    MongoClient mongo = MongoClient.create(vertx, mongoConfig);
    Pool pg = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(pgUri))
        .using(vertx).build();
    return new StoreReader(vertx, mongo, pg, natsUrl);
  }

  /** One snapshot: products, then reservation records, then PostgreSQL in one transaction, then the stream. */
  public Snapshot read() throws Exception {
    long start = System.currentTimeMillis();
    FindOptions productFields = new FindOptions().setFields(new JsonObject().put("stock", 1).put("holds", 1)
        .put("freed", 1));
    List<JsonObject> productDocs = await(mongo.findWithOptions("products", new JsonObject(), productFields));
    long productsReadAt = System.currentTimeMillis();
    List<JsonObject> reservationDocs = await(mongo.find("reservations", new JsonObject()));
    Map<String, Product> products = new TreeMap<>();
    productDocs.forEach(doc -> {
      Product product = product(doc);
      products.put(product.id(), product);
    });
    Map<String, Reservation> reservations = new HashMap<>();
    reservationDocs.forEach(doc -> {
      Reservation reservation = reservation(doc);
      reservations.put(reservation.orderId(), reservation);
    });
    Relational relational = readRelational(start);
    List<Event> events = natsUrl == null ? null : readEvents();
    Long expiredBefore = streamExpiredBefore;
    Set<String> after = new HashSet<>();
    if (events != null) {
      Set<String> unknown = new HashSet<>();
      events.forEach(e -> {
        if (e.orderId() != null && !relational.orders.containsKey(e.orderId())
            && UUID_SHAPE.matcher(e.orderId()).matches()) {
          unknown.add(e.orderId());
        }
      });
      if (!unknown.isEmpty()) {
        RowSet<Row> rows = await(pg.preparedQuery("SELECT id::text FROM orders WHERE id::text = ANY($1)")
            .execute(Tuple.of(unknown.toArray(new String[0]))));
        rows.forEach(row -> after.add(row.getString(0)));
      }
    }
    return new Snapshot(productsReadAt, products, reservations, relational.orders, relational.pending,
        relational.outbox, events, relational.keys, after, expiredBefore);
  }

  private static String id(Object value) {
    if (value instanceof JsonObject object && object.containsKey("$oid")) {
      return object.getString("$oid");
    }
    return String.valueOf(value);
  }

  private static long number(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof JsonObject object && object.containsKey("$numberLong")) {
      return Long.parseLong(object.getString("$numberLong"));
    }
    return value == null ? 0 : Long.parseLong(String.valueOf(value));
  }

  static Product product(JsonObject doc) {
    Map<String, Hold> holds = new LinkedHashMap<>();
    JsonObject holdDocs = doc.getJsonObject("holds", new JsonObject());
    for (String attempt : holdDocs.fieldNames()) {
      JsonObject hold = holdDocs.getJsonObject(attempt);
      holds.put(attempt, new Hold(attempt, hold.getString("o"), number(hold.getValue("q")),
          number(hold.getValue("at"))));
    }
    Set<String> freed = new HashSet<>(doc.getJsonObject("freed", new JsonObject()).fieldNames());
    return new Product(id(doc.getValue("_id")), number(doc.getValue("stock")), holds, freed);
  }

  static Reservation reservation(JsonObject doc) {
    String orderId = id(doc.getValue("_id"));
    Map<String, Long> items = new TreeMap<>();
    var lines = doc.getJsonArray("items");
    if (lines != null) {
      for (int i = 0; i < lines.size(); i++) {
        JsonObject line = lines.getJsonObject(i);
        items.merge(line.getString("productId"), number(line.getValue("quantity")), Long::sum);
      }
    }
    String attempt = doc.getString("attempt");
    if (attempt == null) {
      // As ReservationRecords.attemptOf: records written before attempts existed stand for "legacy" + hex(orderId).
      StringBuilder hex = new StringBuilder("legacy");
      for (byte b : orderId.getBytes(StandardCharsets.UTF_8)) {
        hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      attempt = hex.toString();
    }
    return new Reservation(orderId, doc.getString("status"), attempt, items);
  }

  private record Relational(Map<String, Order> orders, Map<String, Pending> pending, List<OutboxRow> outbox,
                            List<IdempotencyKey> keys) {
  }

  /** Everything from PostgreSQL in one REPEATABLE READ READ ONLY transaction: one consistent view. */
  private Relational readRelational(long snapshotStartMillis) throws Exception {
    SqlConnection connection = await(pg.getConnection());
    boolean committed = false;
    try {
      await(connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute());
      RowSet<Row> orderRows = await(connection.query("SELECT id::text, status, created_at >= to_timestamp("
          + snapshotStartMillis + " / 1000.0) AS late, (EXTRACT(EPOCH FROM created_at) * 1000)::bigint,"
          + " (EXTRACT(EPOCH FROM updated_at) * 1000)::bigint FROM orders").execute());
      RowSet<Row> itemRows = await(connection.query("SELECT order_id::text, product_id, quantity FROM order_items")
          .execute());
      RowSet<Row> pendingRows = await(connection.query("SELECT order_id::text, reason, attempts, last_error,"
          + " (EXTRACT(EPOCH FROM now() - created_at) * 1000)::bigint AS age_ms,"
          + " (EXTRACT(EPOCH FROM now() - next_attempt_at) * 1000)::bigint AS late_ms FROM pending_releases")
          .execute());
      RowSet<Row> outboxRows = await(connection.query("SELECT subject, payload::json ->> 'id' AS order_id,"
          + " published_at IS NOT NULL AS published, (EXTRACT(EPOCH FROM now() - created_at) * 1000)::bigint AS age_ms"
          + " FROM outbox").execute());
      RowSet<Row> keyRows = await(connection.query("SELECT key, order_id::text, body::json ->> 'id' AS answered"
          + " FROM idempotency_keys WHERE state = 'done' AND status = 201").execute());
      await(connection.query("COMMIT").execute());
      committed = true;

      Map<String, Map<String, Long>> items = new HashMap<>();
      itemRows.forEach(row -> items.computeIfAbsent(row.getString(0), k -> new TreeMap<>())
          .merge(row.getString(1), (long) row.getInteger(2), Long::sum));
      Map<String, Order> orders = new HashMap<>();
      orderRows.forEach(row -> orders.put(row.getString(0), new Order(row.getString(0), row.getString(1),
          Boolean.TRUE.equals(row.getBoolean(2)), items.getOrDefault(row.getString(0), Map.of()), row.getLong(3),
          row.getLong(4))));
      Map<String, Pending> pending = new HashMap<>();
      pendingRows.forEach(row -> pending.put(row.getString(0), new Pending(row.getString(0), row.getString(1),
          row.getLong(4), row.getLong(5), row.getInteger(2), row.getString(3))));
      List<OutboxRow> outbox = new ArrayList<>();
      outboxRows.forEach(row -> outbox.add(new OutboxRow(row.getString(0), row.getString(1),
          Boolean.TRUE.equals(row.getBoolean(2)), row.getLong(3))));
      List<IdempotencyKey> keys = new ArrayList<>();
      keyRows.forEach(row -> keys.add(new IdempotencyKey(row.getString(0), row.getString(1), row.getString(2))));
      return new Relational(orders, pending, outbox, keys);
    } finally {
      if (!committed) {
        // The pool does not reset a connection it gets back: an aborted transaction left open would fail every
        // later look on it ("current transaction is aborted").
        connection.query("ROLLBACK").execute();
      }
      connection.close();
    }
  }

  /** The whole stream, in order, with an ordered consumer (ephemeral, no acks); empty when it does not exist yet. */
  private List<Event> readEvents() throws Exception {
    if (nats == null) {
      nats = Nats.connect(new Options.Builder().server(natsUrl).connectionTimeout(Duration.ofSeconds(5))
          .maxReconnects(-1).reconnectWait(Duration.ofMillis(500)).connectionName("check-invariants").build());
    }
    StreamInfo info;
    try {
      info = nats.jetStreamManagement().getStreamInfo(STREAM);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
        streamExpiredBefore = null;
        return List.of();
      }
      throw e;
    }
    long last = info.getStreamState().getLastSequence();
    streamExpiredBefore = info.getStreamState().getFirstSequence() > 1 && info.getStreamState().getFirstTime() != null
        ? info.getStreamState().getFirstTime().toInstant().toEpochMilli() : null;
    List<Event> events = new ArrayList<>();
    if (info.getStreamState().getMsgCount() == 0) {
      return events;
    }
    long deadline = System.nanoTime() + STORE_TIMEOUT.toNanos();
    try (IterableConsumer consumer = nats.getStreamContext(STREAM)
        .createOrderedConsumer(new OrderedConsumerConfiguration()).iterate()) {
      while (true) {
        Message message = consumer.nextMessage(Duration.ofSeconds(2));
        if (message == null) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("reading stream " + STREAM + " stalled after " + events.size()
                + " messages (last sequence " + last + ")");
          }
          continue;
        }
        long seq = message.metaData().streamSequence();
        events.add(new Event(seq, message.getSubject(), orderIdOf(message.getData())));
        if (seq >= last) {
          break;
        }
      }
    }
    return events;
  }

  private static String orderIdOf(byte[] data) {
    try {
      return new JsonObject(new String(data, StandardCharsets.UTF_8)).getString("id");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    try {
      if (nats != null) {
        nats.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      await(mongo.close());
    } catch (Exception e) {
      // closing anyway
    }
    try {
      await(pg.close());
    } catch (Exception e) {
      // closing anyway
    }
    try {
      await(vertx.close());
    } catch (Exception e) {
      // closing anyway
    }
  }
}
