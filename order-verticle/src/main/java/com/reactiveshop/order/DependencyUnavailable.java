package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;

/**
 * A service the order path needs did not answer: its breaker is open, nobody serves the subject, or the call timed
 * out. {@code mayHaveHappened} tells whether the request could still have been carried out (a timeout: the request
 * may have arrived), which decides whether a reserve must be compensated.
 */
final class DependencyUnavailable extends RuntimeException {

  private final String service;
  private final String reason;
  private final boolean mayHaveHappened;
  private final int retryAfterSeconds;

  DependencyUnavailable(String service, String reason, boolean mayHaveHappened, int retryAfterSeconds) {
    super(service + ": " + reason, null, false, false);
    this.service = service;
    this.reason = reason;
    this.mayHaveHappened = mayHaveHappened;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The service answered at once that it had too many requests in progress (it did nothing). */
  boolean overloaded() {
    return Dependencies.OVERLOADED.equals(reason);
  }

  boolean mayHaveHappened() {
    return mayHaveHappened;
  }

  ApiError toApiError() {
    return ApiError.unavailable("dependency_unavailable",
        "The " + service + " is not answering; try again shortly.", retryAfterSeconds);
  }
}
