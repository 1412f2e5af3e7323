package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * {@code POST /api/orders} with an {@code Idempotency-Key}. The first request claims the key and places the order;
 * the same key and the same body (compared canonically) later gets the stored answer again; another body gets 422
 * {@code idempotency_key_reused}; a duplicate arriving while the first is still working polls for its answer and, if
 * it is not ready in time, gets 409 {@code request_in_progress} with {@code Retry-After}.
 * Definite answers (201 and the 4xx business refusals) are stored and replayed; a 5xx is not: the claim is given up
 * so the client's retry runs afresh.
 */
final class IdempotentOrders {

  private static final Logger LOG = LoggerFactory.getLogger(IdempotentOrders.class);
  private static final long FIRST_POLL_MS = 20;
  private static final long MAX_POLL_MS = 250;

  private final Vertx vertx;
  private final IdempotencyStore store;
  private final OrderPlacement placement;
  private final long waitMs;
  private final OrderMetrics metrics;

  IdempotentOrders(Vertx vertx, IdempotencyStore store, OrderPlacement placement, long waitMs,
                   OrderMetrics metrics) {
    this.vertx = vertx;
    this.store = store;
    this.placement = placement;
    this.waitMs = waitMs;
    this.metrics = metrics;
  }

  Future<Reply> place(String key, JsonObject body, OrderRequest request) {
    String fingerprint = CanonicalJson.fingerprint(body);
    return resolve(key, fingerprint, request, System.currentTimeMillis() + waitMs, FIRST_POLL_MS);
  }

  /** Claims the key, or acts on what holds it; loops (by timer) while another request is working on it. */
  private Future<Reply> resolve(String key, String fingerprint, OrderRequest request, long deadline, long pollMs) {
    return store.claim(key, fingerprint).compose(claim -> {
      if (claim.isPresent()) {
        return placeAsOwner(claim.get(), request);
      }
      return store.find(key).compose(found -> {
        if (found.isEmpty()) {
          // The owner gave the key up (a 5xx) between our insert and our read: claim again.
          return resolve(key, fingerprint, request, deadline, pollMs);
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
              ? placeAsOwner(taken.get(), request)
              : resolve(key, fingerprint, request, deadline, pollMs));
        }
        if (System.currentTimeMillis() + pollMs > deadline) {
          throw new ApiError(409, "request_in_progress",
              "A request with this Idempotency-Key is still being handled; retry shortly.", null,
              Map.of("Retry-After", "1"));
        }
        return vertx.timer(pollMs).compose(v ->
            resolve(key, fingerprint, request, deadline, Math.min(pollMs * 2, MAX_POLL_MS)));
      });
    });
  }

  private Future<Reply> placeAsOwner(IdempotencyStore.Claim claim, OrderRequest request) {
    return placement.place(request, claim.orderId(), claim).recover(failure -> {
      if (failure instanceof IdempotencyStore.ClaimLost) {
        return Future.failedFuture(new ApiError(409, "request_in_progress",
            "A request with this Idempotency-Key is still being handled; retry shortly.", null,
            Map.of("Retry-After", "1")));
      }
      if (failure instanceof ApiError error && error.status() < 500) {
        // A definite refusal (unknown user or product, short stock): the same request gets it again.
        return store.complete(claim, Reply.error(error))
            .onFailure(e -> LOG.warn("Could not store the answer for key {}: {}", claim.key(), e.toString()))
            .transform(ar -> Future.failedFuture(error));
      }
      return store.abandon(claim)
          .onFailure(e -> LOG.warn("Could not give up key {}: {}", claim.key(), e.toString()))
          .transform(ar -> Future.failedFuture(failure));
    });
  }
}
