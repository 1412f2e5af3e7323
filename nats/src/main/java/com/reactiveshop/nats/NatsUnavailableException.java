package com.reactiveshop.nats;

/**
 * A NATS request got no answer: nobody serves the subject (no responders), the reply did not come in time, or the
 * connection is down. Callers treat it as "that service is unavailable now". {@link #notDelivered()} tells whether
 * the request certainly reached nobody (no responders, or never sent), which matters for compensation: a request that
 * timed out may still have been carried out.
 */
public class NatsUnavailableException extends RuntimeException {

  private final boolean notDelivered;

  public NatsUnavailableException(String message, boolean notDelivered) {
    super(message, null, false, false);
    this.notDelivered = notDelivered;
  }

  public boolean notDelivered() {
    return notDelivered;
  }
}
