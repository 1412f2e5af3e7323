package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsUnavailableException;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.UUID;

/**
 * The order service's calls to the user and product services over NATS, each through its service's circuit
 * breaker. A business answer (404, 409: the service works and said no) is carried through the breaker as a success,
 * so only transport failures and timeouts count towards opening it; it then fails the returned future as the
 * {@link ApiError} it is. No answer fails with {@link DependencyUnavailable}.
 */
final class Dependencies {

  static final String OVERLOADED = "overloaded";

  private final NatsBridge nats;
  private final DependencyBreakers breakers;
  private final OrderMetrics metrics;

  Dependencies(NatsBridge nats, DependencyBreakers breakers, OrderMetrics metrics) {
    this.nats = nats;
    this.breakers = breakers;
    this.metrics = metrics;
  }

  Future<JsonObject> getUser(String userId) {
    return call(breakers.users(), breakers.userSettings(), "users.get", new JsonObject().put("id", userId));
  }

  Future<JsonObject> reserve(UUID orderId, JsonArray items) {
    return call(breakers.products(), breakers.productSettings(), "products.reserve",
        new JsonObject().put("orderId", orderId.toString()).put("items", items));
  }

  /**
   * Not through the breaker: a release is how stock comes back, so it must not be refused fast because reserves
   * failed, nor count towards opening the breaker for them. It is retried until delivered ({@link ReleaseRetries}).
   */
  Future<JsonObject> release(UUID orderId) {
    return nats.request("products.release", new JsonObject().put("orderId", orderId.toString()),
        Duration.ofMillis(breakers.productSettings().timeoutMs()));
  }

  /** The first open breaker among those the order path needs, as the failure to answer with; null if none. */
  DependencyUnavailable openBreaker() {
    if (breakers.users().state() == CircuitBreakerState.OPEN) {
      return open(breakers.users(), breakers.userSettings());
    }
    if (breakers.products().state() == CircuitBreakerState.OPEN) {
      return open(breakers.products(), breakers.productSettings());
    }
    return null;
  }

  private Future<JsonObject> call(CircuitBreaker breaker, BreakerSettings settings, String subject,
                                  JsonObject body) {
    return breaker.<Object>execute(() -> nats.request(subject, body, Duration.ofMillis(settings.timeoutMs()))
            .map(reply -> (Object) reply)
            .recover(failure -> isAnswer(failure)
                ? Future.succeededFuture(failure) : Future.failedFuture(failure)))
        .onComplete(ar -> metrics.breakerCall(breaker.name(), ar.cause()))
        .recover(failure -> Future.failedFuture(unavailable(breaker, settings, failure)))
        .compose(outcome -> outcome instanceof ApiError answer
            ? Future.failedFuture(isOverloaded(answer) ? shed(breaker) : answer)
            : Future.succeededFuture((JsonObject) outcome));
  }

  /**
   * The service answered: a business refusal (4xx), or shed the request at once because it is overloaded (it did
   * nothing). Neither says the service is broken, so neither counts towards opening the breaker.
   */
  private static boolean isAnswer(Throwable failure) {
    return failure instanceof ApiError error && (error.status() < 500 || isOverloaded(error));
  }

  private static boolean isOverloaded(ApiError error) {
    return error.status() == 503 && OVERLOADED.equals(error.code());
  }

  private static DependencyUnavailable shed(CircuitBreaker breaker) {
    return new DependencyUnavailable(breaker.name(), OVERLOADED, false, 1);
  }

  private static DependencyUnavailable unavailable(CircuitBreaker breaker, BreakerSettings settings,
                                                   Throwable failure) {
    if (failure instanceof OpenCircuitException) {
      return open(breaker, settings);
    }
    // "No responders" means the server had nobody to hand the request to: it certainly did not happen.
    boolean notDelivered = failure instanceof NatsUnavailableException unavailable && unavailable.notDelivered();
    return new DependencyUnavailable(breaker.name(), String.valueOf(failure.getMessage()), !notDelivered, 1);
  }

  private static DependencyUnavailable open(CircuitBreaker breaker, BreakerSettings settings) {
    return new DependencyUnavailable(breaker.name(), "circuit breaker open", false, settings.retryAfterSeconds());
  }
}
