package com.reactiveshop.order;

import com.reactiveshop.common.async.BatchMetrics;
import com.reactiveshop.common.async.GroupCommit;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * The order path's durable intent. Before any stock is reserved for an order id, a row in {@code pending_releases}
 * says "release this order's stock unless the order gets stored", due only after a grace time. The statement that
 * stores the order deletes the row ({@link OrderCommit}); a definite refusal deletes it here. If the process dies in
 * between, or the commit's outcome stays unknown, {@link ReleaseRetries} finds the row due, looks for the order and
 * releases only if it is not there. Writes are group-committed: one statement for every order id that arrived while
 * the previous one was in flight.
 *
 * <p>All SQL on {@code pending_releases} lives here, also the retrier's ({@link #leaseDue}, {@link #noteFailure}) and
 * a cancel's row ({@link #recordRelease}).
 */
final class OrderIntents {

  static final String REASON = "order in progress";
  private static final int MAX_BATCH = 1_000;
  private static final String RECORD = insertFrom("unnest($1::uuid[]) AS i(order_id)", 2, 3);
  /** Locks its rows first, in the order {@link #lockUnleased} does: see there. */
  private static final String FORGET = removeFor("SELECT order_id FROM pending_releases"
      + " WHERE order_id IN (SELECT unnest($1::uuid[])) ORDER BY order_id FOR UPDATE");
  /** $1 the lease (ms), $2 the batch: the due rows, each with the status of its order if it was stored. */
  private static final String LEASE_DUE = "UPDATE pending_releases p SET attempts = p.attempts + 1,"
      + " next_attempt_at = now() + $1 * interval '1 millisecond'"
      + " WHERE p.order_id IN (SELECT order_id FROM pending_releases WHERE next_attempt_at <= now()"
      + " ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
      + " RETURNING p.order_id, (SELECT o.status FROM orders o WHERE o.id = p.order_id) AS order_status";
  private static final String RECORD_RELEASE = "INSERT INTO pending_releases"
      + " (order_id, reason, last_error, next_attempt_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')"
      + " ON CONFLICT (order_id) DO UPDATE SET last_error = EXCLUDED.last_error";
  private static final String KEEP = "INSERT INTO pending_releases (order_id, reason, next_attempt_at)"
      + " VALUES ($1, $2, now()) ON CONFLICT (order_id) DO NOTHING";
  private static final String NOTE_FAILURE = "UPDATE pending_releases SET last_error = $2 WHERE order_id = $1";

  /** A release that is due: its order id, and its order's status if the order was stored (else null). */
  record Due(UUID orderId, String orderStatus) {
  }

  private final OrderDatabase database;
  private final long graceMs;
  private final GroupCommit<UUID, Void> records;
  private final GroupCommit<UUID, Void> forgets;

  /** {@code graceMs}: longer than an order can take from this intent to the end of its commit statement. */
  OrderIntents(OrderDatabase database, long graceMs) {
    this.database = database;
    this.graceMs = graceMs;
    this.records = new GroupCommit<>(this::recordBatch, MAX_BATCH,
        BatchMetrics.of("postgresql", "release_intent_record"))
        .answeringWithin(OrderDatabase.OPERATION_TIMEOUT_MS);
    this.forgets = new GroupCommit<>(this::forgetBatch, MAX_BATCH,
        BatchMetrics.of("postgresql", "release_intent_forget"))
        .answeringWithin(OrderDatabase.OPERATION_TIMEOUT_MS);
  }

  /** Durable once this succeeds; only then may stock be reserved under {@code orderId}. */
  Future<Void> record(UUID orderId) {
    return records.submit(orderId);
  }

  /**
   * Makes sure a release of {@code orderId} stays to be made, due at once: a row that is there already (the retrier's,
   * maybe mid-attempt) is left as it is, so its next attempt comes no later. Background work: no time limit.
   */
  Future<Void> keep(UUID orderId) {
    return database.execute(KEEP, Tuple.of(orderId, REASON)).mapEmpty();
  }

  /**
   * The order id certainly holds no stock (refused, or released): its row goes, whatever wrote it (an intent or a
   * cancel's release). Callers need not wait: if
   * this fails, the row stays and the retrier later releases an order id that holds nothing, which is harmless.
   */
  Future<Void> forget(UUID orderId) {
    return forgets.submit(orderId);
  }

  /**
   * The insert of intents for the order ids of the relation {@code source} (a column {@code order_id}), due after
   * {@code $graceParam} milliseconds; other statements embed it (a claimed Idempotency-Key records its intent in the
   * claim's own statement).
   */
  static String insertFrom(String source, int reasonParam, int graceParam) {
    return "INSERT INTO pending_releases (order_id, reason, next_attempt_at)"
        + " SELECT order_id, $" + reasonParam + ", now() + $" + graceParam + " * interval '1 millisecond'"
        + " FROM " + source
        + " ON CONFLICT (order_id) DO UPDATE SET next_attempt_at = EXCLUDED.next_attempt_at";
  }

  long graceMs() {
    return graceMs;
  }

  private Future<List<Void>> recordBatch(List<UUID> orderIds) {
    return database.execute(RECORD, Tuple.of(distinct(orderIds), REASON, (double) graceMs))
        .map(rows -> Collections.nCopies(orderIds.size(), null));
  }

  /** One row per id: an upsert may not touch the same row twice in one statement. */
  private static UUID[] distinct(List<UUID> orderIds) {
    return new LinkedHashSet<>(orderIds).toArray(new UUID[0]);
  }

  /**
   * The removal of the intents of the order ids that {@code orderIds} selects (a subquery): {@link #forget} runs it;
   * the statement that stores orders ({@link OrderCommit}) embeds it for the orders it wrote.
   */
  static String removeFor(String orderIds) {
    return "DELETE FROM pending_releases WHERE order_id IN (" + orderIds + ")";
  }

  /**
   * Locks the intents of the order ids that {@code orderIds} selects (a subquery) that the retrier has not leased, and
   * returns their {@code order_id}: the fence of the statement that stores orders ({@link OrderCommit}). Under READ
   * COMMITTED, a row the retrier leases meanwhile is read again once its lease commits, and then left out.
   * <p>Rows are locked in {@code order_id} order, as {@link #forget} locks them, so two statements that happen to
   * lock several of the same rows wait for each other instead of deadlocking (PostgreSQL would break a deadlock by
   * failing one: a batch retried order by order). The retrier's lease skips locked rows and cannot deadlock.
   */
  static String lockUnleased(String orderIds) {
    return "SELECT order_id FROM pending_releases WHERE order_id IN (" + orderIds + ") AND attempts = 0"
        + " ORDER BY order_id FOR UPDATE";
  }

  /** A release to make (a cancel's), inside the caller's transaction {@code client}: due after {@code delayMs}. */
  static Future<Void> recordRelease(SqlClient client, UUID orderId, String reason, String error, long delayMs) {
    return client.preparedQuery(RECORD_RELEASE).execute(Tuple.of(orderId, reason, error, (double) delayMs))
        .mapEmpty();
  }

  /**
   * Up to {@code batch} due rows, each leased for {@code leaseMs} (its next attempt moved on, its attempts counted), so
   * other instances skip them meanwhile.
   */
  Future<List<Due>> leaseDue(long leaseMs, int batch) {
    return database.execute(LEASE_DUE, Tuple.of((double) leaseMs, (long) batch)).map(rows -> {
      List<Due> due = new ArrayList<>();
      rows.forEach(row -> due.add(new Due(row.getUUID("order_id"), row.getString("order_status"))));
      return due;
    });
  }

  /** Why the last attempt at this release failed (for operators; the row stays due). */
  Future<Void> noteFailure(UUID orderId, String error) {
    return database.execute(NOTE_FAILURE, Tuple.of(orderId, error)).mapEmpty();
  }

  private Future<List<Void>> forgetBatch(List<UUID> orderIds) {
    return database.execute(FORGET, Tuple.of(distinct(orderIds)))
        .map(rows -> Collections.nCopies(orderIds.size(), null));
  }
}
