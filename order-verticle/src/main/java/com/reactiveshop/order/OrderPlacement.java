package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Reply;
import com.reactiveshop.common.http.Unavailability;
import io.vertx.core.Future;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.Map;
import java.util.UUID;

/**
 * The order path. With both breakers closed (else 503 at once, nothing sent):
 * <ol>
 *   <li>records the order id's release intent ({@link OrderIntents}) and, meanwhile, asks the user service for the
 *   user: an unknown user takes no stock;</li>
 *   <li>asks the product service to reserve the stock under the order id;</li>
 *   <li>writes the order, its lines, its created event, the idempotency answer (for a keyed request) and the removal
 *   of the intent in one statement ({@link OrderCommit}).</li>
 * </ol>
 * Whenever the outcome is not a created order and stock was (or may have been) reserved, the reservation is released
 * now, or left to {@link ReleaseRetries} through the intent. Stock is never released inline while the commit's outcome
 * is unknown: the retrier does it after the grace time, and only if the order is not there.
 */
final class OrderPlacement {

  private static final Logger LOG = LoggerFactory.getLogger(OrderPlacement.class);

  private final OrderCommit commit;
  private final OrderStore orders;
  private final Dependencies dependencies;
  private final OrderIntents intents;
  private final ReleaseRetries releases;
  private final OutboxRelay relay;
  private final OrderMetrics metrics;

  OrderPlacement(OrderCommit commit, OrderStore orders, Dependencies dependencies, OrderIntents intents,
                 ReleaseRetries releases, OutboxRelay relay, OrderMetrics metrics) {
    this.commit = commit;
    this.orders = orders;
    this.dependencies = dependencies;
    this.intents = intents;
    this.releases = releases;
    this.relay = relay;
    this.metrics = metrics;
  }

  /** Places an order under {@code orderId}; {@code claim} is the Idempotency-Key claim, or null without a key. */
  Future<Reply> place(OrderRequest request, UUID orderId, IdempotencyStore.Claim claim) {
    DependencyUnavailable open = dependencies.openBreaker();
    if (open != null) {
      // Nothing is sent; a claim's intent, written with it, has nothing to release.
      if (claim != null && claim.intentRecorded()) {
        intents.forget(orderId);
      }
      return Future.failedFuture(open.toApiError());
    }
    Future<Void> intent = claim != null && claim.intentRecorded()
        ? Future.succeededFuture() : intents.record(orderId);
    Future<JsonObject> user = dependencies.getUser(request.userId());
    return Future.join(intent, user).transform(ready -> {
      if (user.failed()) {
        // Nothing was reserved: the intent, if it was written, has nothing to release.
        if (intent.succeeded()) {
          intents.forget(orderId);
        }
        return Future.failedFuture(userRefusal(user.cause()));
      }
      if (intent.failed()) {
        return Future.failedFuture(intent.cause());
      }
      return reserve(request, orderId, claim);
    });
  }

  private Future<Reply> reserve(OrderRequest request, UUID orderId, IdempotencyStore.Claim claim) {
    return dependencies.reserve(orderId, request.linesJson()).transform(reserved -> {
      if (reserved.succeeded()) {
        return commit(request, orderId, reserved.result(), claim);
      }
      // The answer does not wait for the clean-up: the intent row already guarantees the release, and a release sent
      // to a slow product service would double the time the client waits.
      Throwable failure = reserved.cause();
      metrics.reservationRefused(failure);
      if (nothingReserved(failure)) {
        intents.forget(orderId);
      } else {
        releases.deliver(orderId);
      }
      return Future.failedFuture(reservationRefusal(failure));
    });
  }

  private Future<Reply> commit(OrderRequest request, UUID orderId, JsonObject reservation,
                               IdempotencyStore.Claim claim) {
    Order order;
    try {
      order = Order.confirmed(orderId, request, reservation);
    } catch (IllegalStateException e) {
      LOG.error("Unusable reservation for order {}: {}", orderId, reservation.encode(), e);
      releases.deliver(orderId);
      return Future.failedFuture(e);
    }
    JsonObject body = order.toJson();
    Reply created = Reply.created(body, OrderRoutes.API + "/" + orderId);
    return commit.store(order, created, claim)
        .map(v -> {
          relay.kick();
          metrics.created();
          return created;
        })
        .recover(failure -> {
          if (failure instanceof IdempotencyStore.ClaimLost) {
            // Another request now owns this key and order id: the reservation and its intent are its own.
            return Future.failedFuture(failure);
          }
          if (definitelyNotStored(failure)) {
            LOG.warn("Order {} was not stored ({}); releasing its stock", orderId, failure.toString());
            releases.deliver(orderId);
            return Future.failedFuture(storeFailure(failure));
          }
          // The statement may have committed with only its answer lost: look. If the order is not there (yet), its
          // intent stays, and the retrier releases after the grace time only if the order is still absent.
          return orders.find(orderId).transform(found -> {
            if (found.succeeded() && found.result().isPresent()) {
              relay.kick();
              metrics.created();
              return Future.succeededFuture(created);
            }
            LOG.warn("Order {}: commit outcome unknown ({}); its release is left to the retrier", orderId,
                failure.toString());
            return Future.failedFuture(storeFailure(failure));
          });
        });
  }

  /** PostgreSQL answered with an error (the statement rolled back), or the statement was never sent. */
  private static boolean definitelyNotStored(Throwable failure) {
    return failure instanceof DatabaseException || failure instanceof ConnectException
        || failure instanceof ConnectionPoolTooBusyException;
  }

  private static Throwable storeFailure(Throwable failure) {
    return Unavailability.isUnavailable(failure) || !(failure instanceof DatabaseException)
        ? ApiError.unavailable("dependency_unavailable", "The order database is not answering; try again shortly.", 1)
        : failure;
  }

  /**
   * True unless the reserve may have left stock held under this order id: refused as unknown product or short stock
   * (all or nothing), refused because the order id was released (its attempt gave back what it took), or never
   * delivered. Any other answer (no reply in time, a request still in progress elsewhere) may have.
   */
  private static boolean nothingReserved(Throwable failure) {
    if (failure instanceof DependencyUnavailable unavailable) {
      return !unavailable.mayHaveHappened();
    }
    return failure instanceof ApiError error && (error.status() == 404 || error.status() == 409
        && ("insufficient_stock".equals(error.code()) || "reservation_released".equals(error.code())));
  }

  private static Throwable userRefusal(Throwable failure) {
    if (failure instanceof ApiError error) {
      return error.status() == 404
          ? new ApiError(422, "user_not_found", "No user has the id given as userId.")
          : unexpected("users.get", error);
    }
    return failure instanceof DependencyUnavailable unavailable ? unavailable.toApiError() : failure;
  }

  /**
   * The contract's answer to a failed reserve. A reservation that is still in progress elsewhere, or an order id
   * that was already released (a retried order whose first attempt was given up), is a passing state: 503, so the
   * client retries (with its Idempotency-Key, under a new order id).
   */
  private static Throwable reservationRefusal(Throwable failure) {
    if (failure instanceof ApiError error) {
      if (error.status() == 404) {
        return new ApiError(422, "product_not_found", "Some productId names no product.", error.details(), Map.of());
      }
      if (error.status() == 409 && "insufficient_stock".equals(error.code())) {
        return new ApiError(409, "insufficient_stock", "Not enough stock for some items.", error.details(), Map.of());
      }
      if (error.status() == 409 || error.status() == 503) {
        return ApiError.unavailable("dependency_unavailable",
            "The product service could not take this order now (" + error.code() + "); try again shortly.", 1);
      }
      return unexpected("products.reserve", error);
    }
    return failure instanceof DependencyUnavailable unavailable ? unavailable.toApiError() : failure;
  }

  private static IllegalStateException unexpected(String subject, ApiError error) {
    return new IllegalStateException(subject + " answered " + error.status() + " " + error.code() + ": "
        + error.getMessage());
  }
}
