package com.reactiveshop.nats;

import io.nats.client.impl.Headers;

/**
 * The {@code Request-Deadline} header of a NATS request: the absolute time, in epoch milliseconds, after which the
 * requester no longer waits for the reply. A service that finds it passed skips the request: its answer would go
 * to nobody, and doing the work anyway is how an overload feeds on itself.
 * <p>
 * It is wall-clock time compared across processes, so it assumes the clocks of one deployment are NTP-synced: a
 * skew of a few milliseconds only moves the point where a request is dropped by as much. A request without the header,
 * or with a value that is not an integer (the NATS CLI sends none), has no deadline.
 */
public final class RequestDeadline {

  public static final String HEADER = "Request-Deadline";
  /** "No deadline": later than any clock reading. */
  public static final long NONE = Long.MAX_VALUE;

  private RequestDeadline() {
  }

  /** The deadline a message carries, or {@link #NONE}. */
  public static long of(Headers headers) {
    String value = headers == null ? null : headers.getFirst(HEADER);
    if (value == null) {
      return NONE;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return NONE;
    }
  }

  /** Whether the requester has given up by now. */
  public static boolean hasPassed(long deadline) {
    return deadline != NONE && System.currentTimeMillis() >= deadline;
  }

  /**
   * A copy of {@code headers} (null: none) carrying {@code deadline}, or the caller's own deadline when that is
   * earlier (a caller passing on its own client's deadline must not have it extended). {@code headers} is not
   * changed.
   */
  static Headers stamp(Headers headers, long deadline) {
    Headers stamped = headers == null ? new Headers() : new Headers(headers);
    long earliest = Math.min(of(headers), deadline);
    stamped.put(HEADER, Long.toString(earliest));
    return stamped;
  }
}
