package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The order path. With both breakers closed (else 503 at once, nothing sent):
 * <ol>
 *   <li>records the order id's release intent ({@link OrderIntents}) and, meanwhile, asks the user service for the
 *   user: an unknown user takes no stock;</li>
 *   <li>asks the product service to reserve the stock under the order id;</li>
 *   <li>writes the order, its lines, its created event and the removal of the intent in one statement
 *   ({@link OrderCommit}), provided the retrier has not taken the intent meanwhile.</li>
 * </ol>
 * Whenever the outcome is not a stored order and stock was (or may have been) reserved, the reservation is released
 * now, or left to {@link ReleaseRetries} through the intent. Stock is never released inline while the commit's outcome
 * is unknown: the retrier does it after the grace time, and only if the order is not there; a commit arriving after
 * that is refused by the intent's fence, so the order and the release never both happen.
 *
 * <p>Answers the placed order or the contract's refusal ({@link OrderRefusals}); the HTTP reply is the routes'.
 * A caller that holds the order id already (an Idempotency-Key claim, {@link IdempotentOrders}) places through an
 * {@link Attempt} of its own, whose commit writes more in the same statement.
 */
final class OrderPlacement {

  private static final Logger LOG = LoggerFactory.getLogger(OrderPlacement.class);

  /**
   * One attempt at an order: the order id it works under; whether that id's release intent is already recorded (then
   * it is not written again, and it is forgotten if nothing gets reserved); how the placed order is stored, in one
   * statement with its lines, its event and the removal of its intent; and the user lookup if the caller started it
   * already ({@link #lookUpUser}), else null. {@code store} fails with {@link Superseded}, storing nothing, when the
   * attempt's Idempotency-Key was taken over.
   */
  record Attempt(UUID orderId, boolean intentRecorded, Function<PlacedOrder, Future<Void>> store,
                 Future<JsonObject> user) {
  }

  /**
   * The attempt's Idempotency-Key was taken over by another request, which places the order under an order id of its
   * own: this attempt stores nothing and answers no order, and gives back what it reserved (its order id is nobody's
   * now; its release intent covers a delivery that fails).
   */
  static class Superseded extends RuntimeException {
    Superseded(String message) {
      super(message, null, false, false);
    }
  }

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

  /** Places an order under a new order id. */
  Future<PlacedOrder> place(OrderRequest request) {
    return place(request, new Attempt(OrderIds.next(), false, commit::store, null));
  }

  /**
   * The user lookup an {@link Attempt} can start early: it is a read, so a caller with work of its own to do first
   * (claiming an Idempotency-Key) sends it meanwhile instead of after. With the user breaker open it fails at once.
   */
  Future<JsonObject> lookUpUser(OrderRequest request) {
    return dependencies.getUser(request.userId());
  }

  /** Places an order as {@code attempt} says. */
  Future<PlacedOrder> place(OrderRequest request, Attempt attempt) {
    UUID orderId = attempt.orderId();
    DependencyUnavailable open = dependencies.openBreaker();
    if (open != null) {
      // Nothing is sent; an intent recorded beforehand has nothing to release.
      if (attempt.intentRecorded()) {
        intents.forget(orderId);
      }
      return Future.failedFuture(open.toApiError());
    }
    Future<Void> intent = attempt.intentRecorded() ? Future.succeededFuture() : intents.record(orderId);
    Future<JsonObject> user = attempt.user() != null ? attempt.user() : lookUpUser(request);
    return Future.join(intent, user).transform(ready -> {
      if (user.failed()) {
        // Nothing was reserved: the intent, if it was written, has nothing to release.
        if (intent.succeeded()) {
          intents.forget(orderId);
        }
        return Future.failedFuture(OrderRefusals.user(user.cause()));
      }
      if (intent.failed()) {
        return Future.failedFuture(intent.cause());
      }
      return reserve(request, attempt);
    });
  }

  private Future<PlacedOrder> reserve(OrderRequest request, Attempt attempt) {
    UUID orderId = attempt.orderId();
    return dependencies.reserve(orderId, request.linesJson()).transform(reserved -> {
      if (reserved.succeeded()) {
        return commit(request, attempt, reserved.result());
      }
      // The answer does not wait for the clean-up: the intent row already guarantees the release, and a release sent
      // to a slow product service would double the time the client waits.
      Throwable failure = reserved.cause();
      metrics.reservationRefused(failure);
      if (OrderRefusals.nothingReserved(failure)) {
        intents.forget(orderId);
      } else {
        releases.deliver(orderId);
      }
      return Future.failedFuture(OrderRefusals.reservation(failure));
    });
  }

  private Future<PlacedOrder> commit(OrderRequest request, Attempt attempt, JsonObject reservation) {
    UUID orderId = attempt.orderId();
    PlacedOrder placed;
    try {
      placed = PlacedOrder.of(Order.confirmed(orderId, request, reservation));
    } catch (IllegalStateException e) {
      LOG.error("Unusable reservation for order {}: {}", orderId, reservation.encode(), e);
      releases.deliver(orderId);
      return Future.failedFuture(e);
    }
    return attempt.store().apply(placed)
        .map(v -> created(placed))
        .recover(failure -> {
          if (failure instanceof Superseded) {
            // Another request now owns the key, under an order id of its own: this one's stock goes back.
            releases.deliver(orderId);
            return Future.failedFuture(failure);
          }
          if (failure instanceof OrderCommit.IntentLost) {
            // Nothing was stored. The retrier holds the intent, or has released already; keeping a row covers an
            // intent that went for another reason, so the release is made even if this delivery fails.
            LOG.warn("Order {} was not stored: its grace time ran out and the retrier took its release", orderId);
            intents.keep(orderId).onComplete(kept -> releases.deliver(orderId));
            return Future.failedFuture(ApiError.unavailable("dependency_unavailable",
                "The order took too long to complete and was given up; try again.", 1));
          }
          if (OrderRefusals.definitelyNotStored(failure)) {
            LOG.warn("Order {} was not stored ({}); releasing its stock", orderId, failure.toString());
            releases.deliver(orderId);
            return Future.failedFuture(OrderRefusals.store(failure));
          }
          // The statement may have committed with only its answer lost: look. If the order is not there (yet), its
          // intent stays, and the retrier releases after the grace time only if the order is still absent. After a
          // time-out PostgreSQL is not answering at all: a look would only make the client wait as long again.
          Future<Optional<Order>> look = failure instanceof TimeoutException
              ? Future.succeededFuture(Optional.empty()) : orders.find(orderId);
          return look.transform(found -> {
            if (found.succeeded() && found.result().isPresent()) {
              return Future.succeededFuture(created(placed));
            }
            LOG.warn("Order {}: commit outcome unknown ({}); its release is left to the retrier", orderId,
                failure.toString());
            return Future.failedFuture(OrderRefusals.store(failure));
          });
        });
  }

  private PlacedOrder created(PlacedOrder placed) {
    relay.kick();
    metrics.created();
    return placed;
  }
}
