package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Function;

/**
 * {@code POST /api/orders} with an {@code Idempotency-Key}. The first request claims the key and places the order;
 * the same key and the same body (compared canonically) later gets the stored answer again; another body gets 422
 * {@code idempotency_key_reused}; a duplicate arriving while the first is still working polls for its answer and, if
 * it is not ready in time, gets 409 {@code request_in_progress} with {@code Retry-After}.
 * Definite answers (201 and the 4xx business refusals) are stored and replayed; a 5xx is not: the claim is given up
 * so the client's retry runs afresh.
 *
 * <p>The owner places the order under the claim's order id ({@link OrderPlacement.Attempt}): the claim's statement
 * (or the takeover's) already recorded the release intent, and the 201 is stored by the statement that
 * stores the order ({@link OrderCommit}), so an order never exists without its key's answer, nor the answer without
 * the order.
 */
final class IdempotentOrders {

  private static final Logger LOG = LoggerFactory.getLogger(IdempotentOrders.class);
  private static final long FIRST_POLL_MS = 20;
  private static final long MAX_POLL_MS = 250;

  private final Vertx vertx;
  private final IdempotencyStore store;
  private final OrderPlacement placement;
  private final OrderCommit commit;
  private final long waitMs;
  private final OrderMetrics metrics;

  IdempotentOrders(Vertx vertx, IdempotencyStore store, OrderPlacement placement, OrderCommit commit, long waitMs,
                   OrderMetrics metrics) {
    this.vertx = vertx;
    this.store = store;
    this.placement = placement;
    this.commit = commit;
    this.waitMs = waitMs;
    this.metrics = metrics;
  }

  /** The answer to the request {@code body} (parsed: {@code request}) under {@code key}; {@code created}: its 201. */
  Future<Reply> place(String key, JsonObject body, OrderRequest request, Function<PlacedOrder, Reply> created) {
    String fingerprint = CanonicalJson.fingerprint(body);
    // The user lookup goes out with the claim, not after it: one round trip less for a new key (a replay just does
    // not use it).
    Keyed keyed = new Keyed(key, fingerprint, request, created, placement.lookUpUser(request));
    return resolve(keyed, System.currentTimeMillis() + waitMs, FIRST_POLL_MS);
  }

  /**
   * One keyed request: what it asks for, how its 201 reads, and the user lookup started with it (null once it may be
   * stale: after waiting for another request, placement looks the user up again).
   */
  private record Keyed(String key, String fingerprint, OrderRequest request, Function<PlacedOrder, Reply> created,
                       Future<JsonObject> user) {
    Keyed later() {
      return new Keyed(key, fingerprint, request, created, null);
    }
  }

  /** Claims the key, or acts on what holds it; loops (by timer) while another request is working on it. */
  private Future<Reply> resolve(Keyed keyed, long deadline, long pollMs) {
    String key = keyed.key();
    String fingerprint = keyed.fingerprint();
    return store.claim(key, fingerprint).compose(claim -> {
      if (claim.isPresent()) {
        return placeAsOwner(claim.get(), keyed);
      }
      return store.find(key).compose(found -> {
        if (found.isEmpty()) {
          // The owner gave the key up (a 5xx) between our insert and our read: claim again.
          return resolve(keyed, deadline, pollMs);
        }
        IdempotencyStore.Record record = found.get();
        if (!record.requestHash().equals(fingerprint)) {
          throw new ApiError(422, "idempotency_key_reused",
              "This Idempotency-Key was used with a different request body.");
        }
        if (record.done()) {
          metrics.replayed();
          return Future.succeededFuture(record.answer());
        }
        if (record.stale()) {
          return store.takeOver(key, record.token()).compose(taken -> taken.isPresent()
              ? placeAsOwner(taken.get(), keyed)
              : resolve(keyed, deadline, pollMs));
        }
        if (System.currentTimeMillis() + pollMs > deadline) {
          throw inProgress();
        }
        return vertx.timer(pollMs).compose(v ->
            resolve(keyed.later(), deadline, Math.min(pollMs * 2, MAX_POLL_MS)));
      });
    });
  }

  private Future<Reply> placeAsOwner(IdempotencyStore.Claim claim, Keyed keyed) {
    OrderPlacement.Attempt attempt = new OrderPlacement.Attempt(claim.orderId(), true,
        placed -> commit.store(placed, claim, keyed.created().apply(placed)), keyed.user());
    return placement.place(keyed.request(), attempt).map(keyed.created()).recover(failure -> {
      if (failure instanceof IdempotencyStore.ClaimLost) {
        return Future.failedFuture(inProgress());
      }
      if (failure instanceof ApiError error && error.status() < 500) {
        // A definite refusal (unknown user or product, short stock): the same request gets it again.
        return store.complete(claim, Reply.error(error))
            .onFailure(e -> LOG.warn("Could not store the answer for key {}: {}", claim.key(), e.toString()))
            .transform(ar -> Future.failedFuture(error));
      }
      // The 503 does not wait for the key to be given up: when PostgreSQL is what does not answer, that would add a
      // second wait for it. A retry that comes first finds the key in progress and waits for it (or for its lease).
      store.abandon(claim).onFailure(e -> LOG.warn("Could not give up key {}: {}", claim.key(), e.toString()));
      return Future.failedFuture(failure);
    });
  }

  /** 409 {@code request_in_progress}: the key's first request is still working, or took this one's claim over. */
  private static ApiError inProgress() {
    return new ApiError(409, "request_in_progress",
        "A request with this Idempotency-Key is still being handled; retry shortly.", null, Map.of("Retry-After", "1"));
  }
}
