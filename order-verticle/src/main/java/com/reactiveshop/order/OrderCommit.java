package com.reactiveshop.order;

import com.reactiveshop.common.http.Reply;
import com.reactiveshop.common.tracing.CurrentSpan;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * Stores a placed order in ONE statement: the order, its lines, its created event in the outbox, for a keyed
 * request the Idempotency-Key answer, and the removal of the order's release intent ({@link OrderIntents}). A single statement is atomic on its own (its implicit transaction commits or
 * rolls back as a whole), so this is the same all-or-nothing write as BEGIN + five statements + COMMIT, in one round
 * trip instead of six; on the order path that was the largest PostgreSQL cost.
 *
 * <p>With a claim, the key's update comes first and everything else is inserted only if it matched (the claim is
 * still ours): when it did not, nothing is written and {@link IdempotencyStore.ClaimLost} is raised.
 */
final class OrderCommit {

  /**
   * The lines, from arrays in the order asked ($7..$10), and the created event ($11 id, $12 payload, $13 the
   * traceparent of the request, NULL when untraced: see {@link OutboxRelay}).
   */
  private static final String LINES_AND_EVENT = " i AS (INSERT INTO order_items (order_id, position, product_id,"
      + " name, quantity, price_cents) SELECT o.id, l.ord - 1, l.product_id, l.name, l.quantity, l.price_cents"
      + " FROM o, unnest($7::text[], $8::text[], $9::int[], $10::bigint[])"
      + " WITH ORDINALITY AS l(product_id, name, quantity, price_cents, ord)),"
      + " e AS (INSERT INTO outbox (id, subject, payload, order_id, traceparent) SELECT $11::uuid, '"
      + OutboxRelay.CREATED + "', $12::text, o.id, $13::text FROM o),"
      + " r AS (DELETE FROM pending_releases WHERE order_id = (SELECT id FROM o))";

  /** The order ($1..$6), its lines and its event ($7..$13, see {@link #store}), no key. */
  private static final String WITHOUT_CLAIM = "WITH o AS (INSERT INTO orders"
      + " (id, user_id, status, total_cents, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id),"
      + LINES_AND_EVENT + " SELECT count(*) FROM o";

  /** The key's update ($14..$18) first, then the same as above only where it matched. */
  private static final String WITH_CLAIM = "WITH claim AS (UPDATE idempotency_keys SET state = 'done',"
      + " status = $14, body = $15, location = $16, completed_at = now()"
      + " WHERE key = $17 AND claim_token = $18 AND state = 'in_progress' RETURNING 1),"
      + " o AS (INSERT INTO orders (id, user_id, status, total_cents, created_at, updated_at)"
      + " SELECT $1::uuid, $2::text, $3::text, $4::bigint, $5::timestamptz, $6::timestamptz WHERE EXISTS (SELECT 1 FROM claim) RETURNING id),"
      + LINES_AND_EVENT + " SELECT count(*) FROM o";

  private final Pool pool;

  OrderCommit(Pool pool) {
    this.pool = pool;
  }

  /** Writes the order with its created event; with a claim, also the answer {@code created} under the key. */
  Future<Void> store(Order order, Reply created, IdempotencyStore.Claim claim) {
    int n = order.items().size();
    String[] productIds = new String[n];
    String[] names = new String[n];
    Integer[] quantities = new Integer[n];
    Long[] prices = new Long[n];
    for (int i = 0; i < n; i++) {
      Order.Item item = order.items().get(i);
      productIds[i] = item.productId();
      names[i] = item.name();
      quantities[i] = item.quantity();
      prices[i] = item.priceCents();
    }
    String payload = created.body().encode();
    Tuple args = Tuple.tuple()
        .addValue(order.id()).addValue(order.userId()).addValue(order.status()).addValue(order.totalCents())
        .addValue(Order.utc(order.createdAt())).addValue(Order.utc(order.updatedAt()))
        .addValue(productIds).addValue(names).addValue(quantities).addValue(prices)
        .addValue(UUID.randomUUID()).addValue(payload).addValue(CurrentSpan.traceparent());
    if (claim != null) {
      args.addValue(created.status()).addValue(payload).addValue(created.headers().get("Location"))
          .addValue(claim.key()).addValue(claim.token());
    }
    return pool.preparedQuery(claim != null ? WITH_CLAIM : WITHOUT_CLAIM).execute(args).compose(rows ->
        rows.iterator().next().getLong(0) == 1L || claim == null
            ? Future.succeededFuture() : Future.failedFuture(new IdempotencyStore.ClaimLost(claim.key())));
  }
}
