package com.reactiveshop.launcher.check;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the invariant check reads from the three stores, as plain data (so {@link Invariants} is a pure function of
 * it). Read in this order, each later read seeing at least what an earlier one saw: the products with their holds,
 * the reservation records (MongoDB, product side), then one REPEATABLE READ transaction over the order service's
 * tables (PostgreSQL), then the JetStream stream {@code ORDERS}.
 *
 * @param productsReadAtMillis  the checker's clock when the products were read (hold ages are measured from it)
 * @param products              by product id
 * @param reservations          by order id
 * @param orders                by order id
 * @param pending               {@code pending_releases} rows by order id
 * @param outbox                {@code outbox} rows
 * @param events                the stream's messages in stream order, or null when NATS was not read
 * @param keys                  done {@code idempotency_keys} that answered 201
 * @param ordersAfterSnapshot   order ids that exist but were created after the MongoDB read began (a live system):
 *                              left out of the cross-checks, which cannot see their reservation yet
 * @param streamExpiredBefore   when the stream has dropped messages by its limits (age, bytes: its first sequence is
 *                              past 1), the time of its oldest message left (epoch ms): an event of an order changed
 *                              before it may have expired; null when the stream still has every message it took
 */
public record Snapshot(long productsReadAtMillis, Map<String, Product> products,
                       Map<String, Reservation> reservations, Map<String, Order> orders,
                       Map<String, Pending> pending, List<OutboxRow> outbox, List<Event> events,
                       List<IdempotencyKey> keys, Set<String> ordersAfterSnapshot, Long streamExpiredBefore) {

  /** {@code holds.<attempt>: {o, q, at}} and {@code freed.<attempt>} as found on a product document. */
  public record Product(String id, long stock, Map<String, Hold> holds, Set<String> freedAttempts) {
  }

  public record Hold(String attempt, String orderId, long quantity, long atMillis) {
  }

  /** {@code status} CONFIRMED or RELEASED; {@code items} product id to quantity (empty for a tombstone). */
  public record Reservation(String orderId, String status, String attempt, Map<String, Long> items) {
    public boolean confirmed() {
      return "CONFIRMED".equals(status);
    }
  }

  /**
   * {@code late}: created after the snapshot began (see {@link Snapshot#ordersAfterSnapshot}); {@code createdAtMillis}
   * and {@code updatedAtMillis} as stored (the order service's clock).
   */
  public record Order(String id, String status, boolean late, Map<String, Long> items, long createdAtMillis,
                      long updatedAtMillis) {
    public boolean confirmed() {
      return "CONFIRMED".equals(status);
    }

    public boolean cancelled() {
      return "CANCELLED".equals(status);
    }
  }

  /**
   * A release the order service still has to make. {@code ageMs} since the row was written, {@code lateMs} how long
   * past its {@code next_attempt_at} it is (negative: not due yet), both measured by PostgreSQL's clock.
   */
  public record Pending(String orderId, String reason, long ageMs, long lateMs, int attempts, String lastError) {
  }

  public record OutboxRow(String subject, String orderId, boolean published, long ageMs) {
  }

  public record Event(long streamSequence, String subject, String orderId) {
  }

  /** {@code orderIdColumn}: the id claimed with the key; {@code answeredOrderId}: the id in the stored 201 body. */
  public record IdempotencyKey(String key, String orderIdColumn, String answeredOrderId) {
  }
}
