package com.reactiveshop.nats;

/**
 * A NATS request got no answer: nobody serves the subject (no responders), the reply did not come in time, or the
 * connection is down. Callers treat it as "that service is unavailable now".
 */
public class NatsUnavailableException extends RuntimeException {

  public NatsUnavailableException(String message) {
    super(message, null, false, false);
  }
}
