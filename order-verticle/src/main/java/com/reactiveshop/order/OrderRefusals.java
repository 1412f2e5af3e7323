package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Unavailability;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.sqlclient.DatabaseException;

import java.net.ConnectException;
import java.util.Map;

/**
 * How the order path's failures become the contract's answers (CONTRACT.md, {@code POST /api/orders}), and what they
 * say about stock that may be held: pure functions of the failure, so that each rule can be read and tested alone.
 */
final class OrderRefusals {

  private OrderRefusals() {
  }

  /** The contract's answer to a failed {@code users.get}: an unknown user is 422, no answer is 503. */
  static Throwable user(Throwable failure) {
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
  static Throwable reservation(Throwable failure) {
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

  /**
   * True unless the reserve may have left stock held under this order id: refused as unknown product or short stock
   * (all or nothing), refused because the order id was released (its attempt gave back what it took), or never
   * delivered. Any other answer (no reply in time, a request still in progress elsewhere) may have.
   */
  static boolean nothingReserved(Throwable failure) {
    if (failure instanceof DependencyUnavailable unavailable) {
      return !unavailable.mayHaveHappened();
    }
    return failure instanceof ApiError error && (error.status() == 404 || error.status() == 409
        && ("insufficient_stock".equals(error.code()) || "reservation_released".equals(error.code())));
  }

  /** PostgreSQL answered with an error (the statement rolled back), or the statement was never sent. */
  static boolean definitelyNotStored(Throwable failure) {
    return failure instanceof DatabaseException || failure instanceof ConnectException
        || failure instanceof ConnectionPoolTooBusyException;
  }

  /** The answer to a commit that failed: a database that does not answer is a 503; a refusal stays what it is. */
  static Throwable store(Throwable failure) {
    return Unavailability.isUnavailable(failure) || !(failure instanceof DatabaseException)
        ? ApiError.unavailable("dependency_unavailable", "The order database is not answering; try again shortly.", 1)
        : failure;
  }

  private static IllegalStateException unexpected(String subject, ApiError error) {
    return new IllegalStateException(subject + " answered " + error.status() + " " + error.code() + ": "
        + error.getMessage());
  }
}
