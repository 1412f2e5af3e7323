package com.reactiveshop.order;

import com.reactiveshop.common.async.AnswerLimit;
import com.reactiveshop.common.async.BatchMetrics;
import com.reactiveshop.common.async.GroupCommit;
import com.reactiveshop.common.http.Reply;
import com.reactiveshop.common.ids.RandomUuids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Idempotency-Key records in PostgreSQL ({@code idempotency_keys}). A request claims its key with an insert that does
 * nothing on conflict, so of any number of concurrent duplicates, in any instance or process, exactly one becomes
 * the owner; the others read the record. The claim carries the order id, and a token so that only the current owner
 * can complete or give it up.
 */
final class IdempotencyStore {

  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyStore.class);

  /**
   * The calling request owns the key: it does the work under this order id, whose release intent the claim's (or
   * takeover's) statement wrote ({@link OrderIntents}), so placing the order need not write it.
   */
  record Claim(String key, UUID orderId, UUID token) {
  }

  private record Ask(String key, String requestHash, UUID orderId, UUID token) {
  }

  private record Completion(Claim claim, Reply answer) {
  }

  /** What another request left under the key. */
  record Record(String requestHash, boolean done, UUID token, boolean stale, Reply answer) {
  }

  /**
   * The owner no longer holds its claim (it was taken over as abandoned): it must not complete it. The new owner works
   * under an order id of its own; this one's stock is given back at once ({@link OrderPlacement}), and its release
   * intent covers a delivery that fails.
   */
  static final class ClaimLost extends OrderPlacement.Superseded {
    ClaimLost(String key) {
      super("Idempotency claim on " + key + " was taken over");
    }
  }

  /** Claims of every request that arrived during the previous statement, with their intents, in one statement. */
  private static final String CLAIM = "WITH c AS (INSERT INTO idempotency_keys (key, request_hash, state, order_id,"
      + " claim_token, claimed_at) SELECT k, h, 'in_progress', o, t, now()"
      + " FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[]) AS a(k, h, o, t)"
      + " ON CONFLICT (key) DO NOTHING RETURNING order_id),"
      + " i AS (" + OrderIntents.insertFrom("c", 5, 6) + ")"
      + " SELECT order_id FROM c";
  private static final int MAX_BATCH = 500;
  private static final String COMPLETE =
      completeFrom("unnest($1::text[], $2::uuid[], $3::int[], $4::text[], $5::text[])");
  /** $1 key, $2 lease (ms). */
  private static final String FIND = "SELECT request_hash, state, claim_token, status, body, location,"
      + " claimed_at < now() - $2 * interval '1 millisecond' AS stale FROM idempotency_keys WHERE key = $1";
  /** $1 key, $2 stale token, $3 new token, $4 new order id, $5 intent reason, $6 intent grace (ms). */
  private static final String TAKE_OVER = "WITH t AS (UPDATE idempotency_keys SET claim_token = $3, claimed_at = now(),"
      + " order_id = $4 WHERE key = $1 AND state = 'in_progress' AND claim_token = $2 RETURNING order_id),"
      + " i AS (" + OrderIntents.insertFrom("t", 5, 6) + ")"
      + " SELECT order_id FROM t";
  private static final String ABANDON =
      "DELETE FROM idempotency_keys WHERE key = $1 AND claim_token = $2 AND state = 'in_progress'";

  private final OrderDatabase database;
  private final long leaseMs;
  private final OrderIntents intents;
  private final GroupCommit<Ask, Optional<Claim>> claims;
  private final GroupCommit<Completion, Boolean> completions;

  IdempotencyStore(OrderDatabase database, long leaseMs, OrderIntents intents) {
    this.database = database;
    this.leaseMs = leaseMs;
    this.intents = intents;
    // A claim that lands after its request gave up (PostgreSQL paused, a packet held up) would keep the key from the
    // client's retries for the whole lease: it is given back as soon as it is known to have landed.
    this.claims = new GroupCommit<>(this::claimBatch, MAX_BATCH,
        BatchMetrics.of("postgresql", "idempotency_key_claim"))
        .answeringWithin(OrderDatabase.OPERATION_TIMEOUT_MS, (ask, claim) -> claim.ifPresent(this::giveBackLate));
    this.completions = new GroupCommit<>(this::completeBatch, MAX_BATCH,
        BatchMetrics.of("postgresql", "idempotency_key_complete"))
        .answeringWithin(OrderDatabase.OPERATION_TIMEOUT_MS);
  }

  /**
   * The claim if this request got the key (its release intent is then recorded too); else empty, and {@link #find}
   * tells what holds it. Group-committed: of duplicates in one batch, the first in arrival order wins.
   */
  Future<Optional<Claim>> claim(String key, String requestHash) {
    return claims.submit(new Ask(key, requestHash, OrderIds.next(), RandomUuids.next()));
  }

  private Future<List<Optional<Claim>>> claimBatch(List<Ask> asks) {
    Tuple args = Tuple.of(asks.stream().map(Ask::key).toArray(String[]::new),
        asks.stream().map(Ask::requestHash).toArray(String[]::new),
        asks.stream().map(Ask::orderId).toArray(UUID[]::new),
        asks.stream().map(Ask::token).toArray(UUID[]::new));
    args.addValue(OrderIntents.REASON).addValue((double) intents.graceMs());
    return database.execute(CLAIM, args).map(rows -> {
      Set<UUID> won = new HashSet<>();
      rows.forEach(row -> won.add(row.getUUID("order_id")));
      return asks.stream().map(ask -> won.contains(ask.orderId())
          ? Optional.of(new Claim(ask.key(), ask.orderId(), ask.token())) : Optional.<Claim>empty()).toList();
    });
  }

  Future<Optional<Record>> find(String key) {
    return database.executeForClient(FIND, Tuple.of(key, (double) leaseMs))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toRecord(rows.iterator().next())));
  }

  /**
   * Takes over a claim whose owner has not finished within the lease (its process is presumed dead), under a new order
   * id whose release intent the same statement records. The old order id is left to its own intent: it fell due long
   * before the lease ended (the grace time is shorter: {@link OrderSettings#fromEnv} insists), so what the old owner
   * may have reserved is released by the retrier, and the old owner, were it only slow, can store nothing (its claim
   * is gone, and its intent's fence too).
   */
  Future<Optional<Claim>> takeOver(String key, UUID staleToken) {
    UUID token = RandomUuids.next();
    UUID orderId = OrderIds.next();
    // Unbounded underneath, limited for the client: a takeover that lands after its request gave up is seen, and
    // given back like a late claim, instead of holding the key from the client's retries for a whole lease.
    Future<Optional<Claim>> taken = database.execute(TAKE_OVER, Tuple.of(key, staleToken, token, orderId)
            .addValue(OrderIntents.REASON).addValue((double) intents.graceMs()))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(new Claim(key, orderId, token)));
    Future<Optional<Claim>> answered = AnswerLimit.within(taken, OrderDatabase.OPERATION_TIMEOUT_MS);
    answered.onFailure(gaveUp -> taken.onSuccess(late -> late.ifPresent(this::giveBackLate)));
    return answered;
  }

  /**
   * Stores a refusal as the key's final answer (a 201 is stored by the statement that stores the order). Group-
   * committed: one statement for every answer that arrived while the previous one was in flight, which is what a
   * flash sale's many refusals need. Fails with {@link ClaimLost} when the claim is no longer this request's.
   */
  Future<Void> complete(Claim claim, Reply answer) {
    return completions.submit(new Completion(claim, answer)).compose(stored -> stored
        ? Future.succeededFuture() : Future.failedFuture(new ClaimLost(claim.key())));
  }

  private Future<List<Boolean>> completeBatch(List<Completion> batch) {
    Tuple args = Tuple.of(
        batch.stream().map(c -> c.claim().key()).toArray(String[]::new),
        batch.stream().map(c -> c.claim().token()).toArray(UUID[]::new),
        batch.stream().map(c -> c.answer().status()).toArray(Integer[]::new),
        batch.stream().map(c -> c.answer().body() == null ? null : c.answer().body().encode()).toArray(String[]::new),
        batch.stream().map(c -> c.answer().headers().get("Location")).toArray(String[]::new));
    return database.execute(COMPLETE, args).map(rows -> {
      Set<UUID> stored = new HashSet<>();
      rows.forEach(row -> stored.add(row.getUUID("claim_token")));
      return batch.stream().map(c -> stored.contains(c.claim().token())).toList();
    });
  }

  /**
   * The one write of a key's final answer: completes the claims of the relation {@code source}, whose columns are, in
   * this order, the key, the claim token, the answer's status, body and Location; a claim is completed only while it
   * is still in progress under that token. Returns {@code key} and {@code claim_token} of each completed claim.
   * {@link #complete} runs it for refusals; the statement that stores an order ({@link OrderCommit}) embeds it, so a
   * 201 is stored together with its order.
   */
  static String completeFrom(String source) {
    return "UPDATE idempotency_keys k SET state = 'done', status = a.status, body = a.body, location = a.location,"
        + " completed_at = now() FROM " + source + " AS a(key, token, status, body, location)"
        + " WHERE k.key = a.key AND k.claim_token = a.token AND k.state = 'in_progress'"
        + " RETURNING k.key, k.claim_token";
  }

  /** Gives the key up (the answer was a 5xx worth retrying): the next request with it starts afresh. */
  Future<Void> abandon(Claim claim) {
    return database.executeForClient(ABANDON, Tuple.of(claim.key(), claim.token())).mapEmpty();
  }

  /**
   * A claim (or takeover) won after its request had been answered 503: its request never saw it, so the key is given
   * up, and the release intent the same statement recorded is removed: nothing was reserved under its order id.
   */
  private void giveBackLate(Claim claim) {
    abandon(claim).onSuccess(v -> intents.forget(claim.orderId()))
        .onFailure(e -> LOG.warn("Could not give up key {} claimed too late: {}", claim.key(), e.toString()));
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
