package com.reactiveshop.order;

import com.reactiveshop.common.async.BatchMetrics;
import com.reactiveshop.common.async.GroupCommit;
import com.reactiveshop.common.http.Reply;
import com.reactiveshop.common.tracing.CurrentSpan;
import io.vertx.core.Future;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Stores placed orders, group-committed: every order that is ready while one statement is in flight goes into the
 * next one. ONE statement writes, for every order of the batch, the order, its lines, its created event in the outbox,
 * for a keyed request the Idempotency-Key answer, and the removal of its release intent ({@link OrderIntents}). A
 * single statement is atomic on its own (its implicit transaction commits or rolls back as a whole), so each order is
 * the same all-or-nothing write as BEGIN + five statements + COMMIT; under load a whole batch of orders shares one
 * round trip and one commit (one WAL flush) instead of one each, which was the largest PostgreSQL cost of the order
 * path.
 *
 * <p><b>The intent fences the commit.</b> The statement first locks the orders' release intents that the retrier has
 * not leased ({@code attempts = 0}); an order is written only if its intent is among them. So a commit that reaches
 * PostgreSQL only after its intent's grace time (it waited in a paused server's socket) and finds the retrier there
 * first writes nothing ({@link IntentLost}): the retrier is giving that stock back, and the order must not exist. The
 * other way round, the lock makes the retrier (which skips locked rows) leave the intent alone until the commit has
 * removed it.
 *
 * <p>With a claim, the key's update comes next and the order is written only if it matched (the claim is still ours):
 * when it did not, nothing of that order is written and {@link IdempotencyStore.ClaimLost} is raised for it alone.
 *
 * <p>A batch that PostgreSQL refuses (an error: the statement rolled back, nothing of it is stored) is written again
 * order by order, so an order that cannot be stored fails alone and never takes the others of its batch with it.
 * Any other failure (no answer: the outcome is unknown) is every order's failure, as it would be for each alone.
 */
final class OrderCommit {

  private static final int MAX_BATCH = 256;

  /**
   * $1..$12: one element per order (id, user, status, total, created, updated, event id, payload, and for a keyed
   * request the key, claim token, answer status and location; nulls without a key), $19 the traceparent of the
   * request that placed it (NULL when untraced: see {@link OutboxRelay}). $13..$18: one element per line, flattened
   * (order id, position, product, name, quantity, price).
   */
  private static final String STORE = "WITH input AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[],"
      + " $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::uuid[], $8::text[], $9::text[], $10::uuid[],"
      + " $11::int[], $12::text[], $19::text[]) AS t(id, user_id, status, total_cents, created_at, updated_at,"
      + " event_id, payload, key, token, answer_status, location, traceparent)),"
      + " live AS (" + OrderIntents.lockUnleased("SELECT id FROM input") + "),"
      + " claim AS (" + IdempotencyStore.completeFrom("(SELECT key, token, answer_status, payload, location FROM input"
          + " WHERE key IS NOT NULL AND id IN (SELECT order_id FROM live))") + "),"
      + " o AS (INSERT INTO orders (id, user_id, status, total_cents, created_at, updated_at)"
      + " SELECT id, user_id, status, total_cents, created_at, updated_at FROM input"
      + " WHERE id IN (SELECT order_id FROM live) AND (input.key IS NULL OR input.key IN (SELECT key FROM claim))"
      + " RETURNING id),"
      + " i AS (INSERT INTO order_items (order_id, position, product_id, name, quantity, price_cents)"
      + " SELECT l.order_id, l.position, l.product_id, l.name, l.quantity, l.price_cents"
      + " FROM unnest($13::uuid[], $14::int[], $15::text[], $16::text[], $17::int[], $18::bigint[])"
      + " AS l(order_id, position, product_id, name, quantity, price_cents) WHERE l.order_id IN (SELECT id FROM o)),"
      + " e AS (" + OutboxRelay.insertFrom("(SELECT event_id, '" + OutboxRelay.CREATED + "'::text, payload, id,"
          + " traceparent FROM input WHERE id IN (SELECT id FROM o))") + "),"
      + " r AS (" + OrderIntents.removeFor("SELECT id FROM o") + ")"
      + " SELECT id, true AS stored FROM o"
      + " UNION ALL SELECT id, false FROM input WHERE id NOT IN (SELECT order_id FROM live)"
      // A request whose claim was taken over hears that first: the retrier releases what it reserved.
      + " AND (key IS NULL OR EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.key = input.key"
      + " AND k.claim_token = input.token AND k.state = 'in_progress'))";

  /**
   * An order to store; with a key, its {@code claim} and the {@code answer} to complete it with (else both null).
   * {@code traceparent} is taken when it is submitted, while its request is current.
   */
  private record Pending(PlacedOrder placed, IdempotencyStore.Claim claim, Reply answer, String traceparent) {

    Order order() {
      return placed.order();
    }
  }

  /**
   * The order was not stored because its release intent was no longer there un-leased: the retrier has leased it (its
   * grace time ran out while this order was on its way, e.g. its commit waited in a paused PostgreSQL) and is
   * releasing, or has released, its stock. A definite outcome: the order is not stored, and its stock goes back.
   */
  static final class IntentLost extends RuntimeException {
    IntentLost(UUID orderId) {
      super("order " + orderId + " was not stored: its release intent was taken by the retrier", null, false, false);
    }
  }

  /** One order's outcome: stored, or its failure (a lost intent or claim, or a refusal of this order alone). */
  private record Outcome(Throwable failure) {
    static final Outcome STORED = new Outcome(null);
  }

  private final OrderDatabase database;
  private final GroupCommit<Pending, Outcome> batches;

  /** One per verticle instance: use it from that instance's context. */
  OrderCommit(OrderDatabase database) {
    this.database = database;
    this.batches = new GroupCommit<>(this::storeBatch, MAX_BATCH,
        BatchMetrics.of("postgresql", "order_commit"))
        .answeringWithin(OrderDatabase.OPERATION_TIMEOUT_MS);
  }

  /** Writes the order with its lines and created event, and removes its release intent. */
  Future<Void> store(PlacedOrder placed) {
    return submit(new Pending(placed, null, null, CurrentSpan.traceparent()));
  }

  /**
   * As {@link #store(PlacedOrder)}, and completes the Idempotency-Key {@code claim} with {@code answer} (whose body is
   * the order's JSON) in the same statement; fails with {@link IdempotencyStore.ClaimLost}, writing nothing, when the
   * claim is no longer in progress under its token.
   */
  Future<Void> store(PlacedOrder placed, IdempotencyStore.Claim claim, Reply answer) {
    return submit(new Pending(placed, claim, answer, CurrentSpan.traceparent()));
  }

  private Future<Void> submit(Pending pending) {
    return batches.submit(pending).compose(outcome -> outcome.failure() == null
        ? Future.succeededFuture() : Future.failedFuture(outcome.failure()));
  }

  /** One outcome per order of the batch. */
  private Future<List<Outcome>> storeBatch(List<Pending> batch) {
    return write(batch).recover(failure -> {
      if (batch.size() == 1 || !(failure instanceof DatabaseException)) {
        return Future.failedFuture(failure);
      }
      // Refused as a whole, so nothing was stored: again one by one, so only what cannot be stored fails.
      List<Future<Outcome>> alone = new ArrayList<>();
      for (Pending pending : batch) {
        alone.add(write(List.of(pending)).map(outcomes -> outcomes.get(0)).otherwise(Outcome::new));
      }
      return Future.all(alone).map(done -> alone.stream().map(Future::result).toList());
    });
  }

  private Future<List<Outcome>> write(List<Pending> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    String[] users = new String[n];
    String[] statuses = new String[n];
    Long[] totals = new Long[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    OffsetDateTime[] updated = new OffsetDateTime[n];
    UUID[] eventIds = new UUID[n];
    String[] payloads = new String[n];
    String[] keys = new String[n];
    UUID[] tokens = new UUID[n];
    Integer[] answerStatuses = new Integer[n];
    String[] locations = new String[n];
    String[] traceparents = new String[n];
    Lines lines = new Lines(batch.stream().mapToInt(p -> p.order().items().size()).sum());
    for (int k = 0; k < n; k++) {
      Pending p = batch.get(k);
      Order order = p.order();
      ids[k] = order.id();
      users[k] = order.userId();
      statuses[k] = order.status();
      totals[k] = order.totalCents();
      created[k] = Order.utc(order.createdAt());
      updated[k] = Order.utc(order.updatedAt());
      eventIds[k] = OrderIds.next();
      payloads[k] = p.placed().json().toString(); // the bytes the client is sent, encoded once
      traceparents[k] = p.traceparent();
      if (p.claim() != null) {
        keys[k] = p.claim().key();
        tokens[k] = p.claim().token();
        answerStatuses[k] = p.answer().status();
        locations[k] = p.answer().headers().get("Location");
      }
      lines.add(order);
    }
    Tuple args = Tuple.tuple().addValue(ids).addValue(users).addValue(statuses).addValue(totals).addValue(created)
        .addValue(updated).addValue(eventIds).addValue(payloads).addValue(keys).addValue(tokens)
        .addValue(answerStatuses).addValue(locations);
    lines.appendTo(args);
    args.addValue(traceparents);
    return database.execute(STORE, args).map(rows -> {
      Set<UUID> stored = new HashSet<>();
      Set<UUID> fenced = new HashSet<>();
      for (Row row : rows) {
        (row.getBoolean(1) ? stored : fenced).add(row.getUUID(0));
      }
      List<Outcome> outcomes = new ArrayList<>(n);
      for (Pending p : batch) {
        UUID id = p.order().id();
        outcomes.add(stored.contains(id) ? Outcome.STORED
            : new Outcome(fenced.contains(id) ? new IntentLost(id) : notStored(p)));
      }
      return outcomes;
    });
  }

  /** An order whose intent was live but that the statement left out: its claim did not match. */
  private static RuntimeException notStored(Pending p) {
    return p.claim() != null ? new IdempotencyStore.ClaimLost(p.claim().key())
        : new IllegalStateException("order " + p.order().id() + " was not written by its statement");
  }

  /** The lines of a batch's orders, flattened into one array per column. */
  private static final class Lines {
    private final UUID[] orderIds;
    private final Integer[] positions;
    private final String[] productIds;
    private final String[] names;
    private final Integer[] quantities;
    private final Long[] prices;
    private int size;

    Lines(int total) {
      orderIds = new UUID[total];
      positions = new Integer[total];
      productIds = new String[total];
      names = new String[total];
      quantities = new Integer[total];
      prices = new Long[total];
    }

    void add(Order order) {
      List<Order.Item> items = order.items();
      for (int i = 0; i < items.size(); i++) {
        Order.Item item = items.get(i);
        orderIds[size] = order.id();
        positions[size] = i;
        productIds[size] = item.productId();
        names[size] = item.name();
        quantities[size] = item.quantity();
        prices[size] = item.priceCents();
        size++;
      }
    }

    void appendTo(Tuple args) {
      args.addValue(orderIds).addValue(positions).addValue(productIds).addValue(names).addValue(quantities)
          .addValue(prices);
    }
  }
}
