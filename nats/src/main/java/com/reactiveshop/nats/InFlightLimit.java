package com.reactiveshop.nats;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many requests a micro service instance has handed to its event loop and not yet answered, with an upper
 * bound. Taken on the jnats dispatcher thread, given back on the verticle's context, hence atomic. Without a bound a
 * slow store lets requests pile up on the event loop, each waiting longer than the last until none is answered in
 * time.
 */
final class InFlightLimit {

  private final int max;
  private final AtomicInteger taken = new AtomicInteger();

  InFlightLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, was " + max);
    }
    this.max = max;
  }

  /** Takes a slot; false (and nothing taken) when all are in use. */
  boolean tryTake() {
    // Compare-and-set, not increment-then-undo: a transient overshoot would refuse a request that fits.
    while (true) {
      int current = taken.get();
      if (current >= max) {
        return false;
      }
      if (taken.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  void give() {
    taken.decrementAndGet();
  }

  int taken() {
    return taken.get();
  }

  int max() {
    return max;
  }
}
