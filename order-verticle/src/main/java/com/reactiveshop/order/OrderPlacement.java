package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;

/**
 * The order path. With both breakers closed (else 503 at once, nothing sent), it asks the user service for the user
 * and the product service to reserve the stock under the order id, in parallel; then writes the order, its lines,
 * its created event and (for a keyed request) the idempotency answer atomically ({@link OrderCommit}). Whenever the
 * outcome is not a created order and stock was (or may have been) reserved, the reservation is released, or recorded
 * for a later release if that cannot be delivered now.
 */
final class OrderPlacement {

  private static final Logger LOG = LoggerFactory.getLogger(OrderPlacement.class);

  private final OrderCommit commit;
  private final OrderStore orders;
  private final Dependencies dependencies;
  private final ReleaseRetries releases;
  private final OutboxRelay relay;

  OrderPlacement(OrderCommit commit, OrderStore orders, Dependencies dependencies, ReleaseRetries releases,
                 OutboxRelay relay) {
    this.commit = commit;
    this.orders = orders;
    this.dependencies = dependencies;
    this.releases = releases;
    this.relay = relay;
  }

  /** Places an order under {@code orderId}; {@code claim} is the Idempotency-Key claim, or null without a key. */
  Future<Reply> place(OrderRequest request, UUID orderId, IdempotencyStore.Claim claim) {
    DependencyUnavailable open = dependencies.openBreaker();
    if (open != null) {
      return Future.failedFuture(open.toApiError());
    }
    Future<JsonObject> user = dependencies.getUser(request.userId());
    Future<JsonObject> reservation = dependencies.reserve(orderId, request.linesJson());
    return Future.join(user, reservation).transform(done -> {
      if (user.succeeded() && reservation.succeeded()) {
        return commit(request, orderId, reservation.result(), claim);
      }
      Throwable refusal = refusal(user, reservation);
      return releaseIfReserved(orderId, reservation, "order not placed")
          .transform(released -> Future.failedFuture(refusal));
    });
  }

  private Future<Reply> commit(OrderRequest request, UUID orderId, JsonObject reservation,
                               IdempotencyStore.Claim claim) {
    Order order;
    try {
      order = Order.confirmed(orderId, request, reservation);
    } catch (IllegalStateException e) {
      LOG.error("Unusable reservation for order {}: {}", orderId, reservation.encode(), e);
      return releases.releaseOrRecord(orderId, "unusable reservation").transform(v -> Future.failedFuture(e));
    }
    JsonObject body = order.toJson();
    Reply created = Reply.created(body, OrderVerticle.API + "/" + orderId);
    return commit.store(order, created, claim)
        .map(v -> {
          relay.kick();
          return created;
        })
        .recover(failure -> {
          if (failure instanceof IdempotencyStore.ClaimLost) {
            // Another request now owns this key and order id: the reservation is its, not ours to release.
            return Future.failedFuture(failure);
          }
          // The statement may have committed with only its answer lost: look before giving the stock back, or
          // a confirmed order would hold no stock.
          return orders.find(orderId).transform(found -> {
            if (found.succeeded() && found.result().isPresent()) {
              relay.kick();
              return Future.succeededFuture(created);
            }
            LOG.error("Could not store order {}; releasing its stock", orderId, failure);
            return releases.releaseOrRecord(orderId, "order not stored").transform(v -> Future.failedFuture(
                ApiError.unavailable("dependency_unavailable",
                    "The order database is not answering; try again shortly.", 1)));
          });
        });
  }

  /**
   * Releases unless the reserve certainly reserved nothing: refused as unknown product or short stock (all or
   * nothing), or never delivered. Any other answer (a 5xx, a request still in progress elsewhere) may leave stock
   * held under this order id, and releasing an order id that holds nothing is harmless.
   */
  private Future<Void> releaseIfReserved(UUID orderId, Future<JsonObject> reservation, String reason) {
    Throwable failure = reservation.cause();
    boolean nothingReserved = failure instanceof DependencyUnavailable unavailable && !unavailable.mayHaveHappened()
        || failure instanceof ApiError error && (error.status() == 404
            || error.status() == 409 && "insufficient_stock".equals(error.code()));
    return nothingReserved ? Future.succeededFuture() : releases.releaseOrRecord(orderId, reason);
  }

  /**
   * The answer when not both calls succeeded. Definite refusals win over unavailability (an unknown user is unknown
   * whether or not the product service answers): unknown user, then the product refusal, then 503.
   */
  private static Throwable refusal(Future<JsonObject> user, Future<JsonObject> reservation) {
    if (user.failed() && user.cause() instanceof ApiError error) {
      return error.status() == 404
          ? new ApiError(422, "user_not_found", "No user has the id given as userId.")
          : unexpected("users.get", error);
    }
    if (reservation.failed() && reservation.cause() instanceof ApiError error) {
      if (error.status() == 404) {
        return new ApiError(422, "product_not_found", "Some productId names no product.", error.details(), Map.of());
      }
      if (error.status() == 409 && "insufficient_stock".equals(error.code())) {
        return new ApiError(409, "insufficient_stock", "Not enough stock for some items.", error.details(), Map.of());
      }
      return unexpected("products.reserve", error);
    }
    Throwable failure = user.failed() ? user.cause() : reservation.cause();
    return failure instanceof DependencyUnavailable unavailable ? unavailable.toApiError() : failure;
  }

  private static IllegalStateException unexpected(String subject, ApiError error) {
    return new IllegalStateException(subject + " answered " + error.status() + " " + error.code() + ": "
        + error.getMessage());
  }
}
