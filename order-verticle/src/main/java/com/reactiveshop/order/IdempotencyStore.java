package com.reactiveshop.order;

import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency-Key records in PostgreSQL ({@code idempotency_keys}). A request claims its key with an insert that does
 * nothing on conflict, so of any number of concurrent duplicates, in any instance or process, exactly one becomes
 * the owner; the others read the record. The claim carries the order id, and a token so that only the current owner
 * can complete or give it up.
 */
final class IdempotencyStore {

  /** The calling request owns the key: it does the work under this order id. */
  record Claim(String key, UUID orderId, UUID token) {
  }

  /** What another request left under the key. */
  record Record(String requestHash, boolean done, UUID token, boolean stale, Reply answer) {
  }

  /** The owner no longer holds its claim (it was taken over as abandoned): it must not complete it. */
  static final class ClaimLost extends RuntimeException {
    ClaimLost(String key) {
      super("Idempotency claim on " + key + " was taken over", null, false, false);
    }
  }

  private final Pool pool;
  private final long leaseMs;

  IdempotencyStore(Pool pool, long leaseMs) {
    this.pool = pool;
    this.leaseMs = leaseMs;
  }

  /** The claim if this request got the key; else empty, and {@link #find} tells what holds it. */
  Future<Optional<Claim>> claim(String key, String requestHash) {
    UUID orderId = UUID.randomUUID();
    UUID token = UUID.randomUUID();
    return pool.preparedQuery("INSERT INTO idempotency_keys (key, request_hash, state, order_id, claim_token,"
            + " claimed_at) VALUES ($1, $2, 'in_progress', $3, $4, now()) ON CONFLICT (key) DO NOTHING")
        .execute(Tuple.of(key, requestHash, orderId, token))
        .map(rows -> rows.rowCount() == 1 ? Optional.of(new Claim(key, orderId, token)) : Optional.empty());
  }

  Future<Optional<Record>> find(String key) {
    return pool.preparedQuery("SELECT request_hash, state, claim_token, status, body, location,"
            + " claimed_at < now() - $2 * interval '1 millisecond' AS stale FROM idempotency_keys WHERE key = $1")
        .execute(Tuple.of(key, (double) leaseMs))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toRecord(rows.iterator().next())));
  }

  /**
   * Takes over a claim whose owner has not finished within the lease (its process is presumed dead). The same order
   * id is kept, so the reserve it may have made is the one asked for again (reserve is idempotent per order id).
   */
  Future<Optional<Claim>> takeOver(String key, UUID staleToken) {
    UUID token = UUID.randomUUID();
    return pool.preparedQuery("UPDATE idempotency_keys SET claim_token = $3, claimed_at = now()"
            + " WHERE key = $1 AND state = 'in_progress' AND claim_token = $2 RETURNING order_id")
        .execute(Tuple.of(key, staleToken, token))
        .map(rows -> rows.size() == 0 ? Optional.empty()
            : Optional.of(new Claim(key, rows.iterator().next().getUUID("order_id"), token)));
  }

  /** Stores the final answer; inside the order transaction for a 201, so the order and its answer commit together. */
  Future<Void> complete(SqlClient client, Claim claim, Reply answer) {
    return client.preparedQuery("UPDATE idempotency_keys SET state = 'done', status = $3, body = $4, location = $5,"
            + " completed_at = now() WHERE key = $1 AND claim_token = $2 AND state = 'in_progress'")
        .execute(Tuple.of(claim.key(), claim.token(), answer.status(),
            answer.body() == null ? null : answer.body().encode(), answer.headers().get("Location")))
        .compose(rows -> rows.rowCount() == 1
            ? Future.succeededFuture() : Future.failedFuture(new ClaimLost(claim.key())));
  }

  Future<Void> complete(Claim claim, Reply answer) {
    return complete(pool, claim, answer);
  }

  /** Gives the key up (the answer was a 5xx worth retrying): the next request with it starts afresh. */
  Future<Void> abandon(Claim claim) {
    return pool.preparedQuery(
            "DELETE FROM idempotency_keys WHERE key = $1 AND claim_token = $2 AND state = 'in_progress'")
        .execute(Tuple.of(claim.key(), claim.token()))
        .mapEmpty();
  }

  private static Record toRecord(Row row) {
    boolean done = "done".equals(row.getString("state"));
    Reply answer = null;
    if (done) {
      Map<String, String> headers = new HashMap<>();
      String location = row.getString("location");
      if (location != null) {
        headers.put("Location", location);
      }
      headers.put("Idempotent-Replayed", "true");
      String body = row.getString("body");
      answer = new Reply(row.getInteger("status"), body == null ? null : new JsonObject(body), Map.copyOf(headers));
    }
    return new Record(row.getString("request_hash"), done, row.getUUID("claim_token"),
        Boolean.TRUE.equals(row.getBoolean("stale")), answer);
  }
}
