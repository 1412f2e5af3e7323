package com.reactiveshop.common.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * A deadline that fires on the caller's context. {@code Future.timeout} on a promise that belongs to no context
 * completes on a Netty global thread when it fires, and everything chained after it would run there, off the
 * verticle's event loop. A Vert.x timer set from the caller's context keeps the whole chain on that context.
 */
public final class Deadlines {

  private Deadlines() {
  }

  /**
   * {@code future}, or a failure from {@code onTimeout} once {@code millis} have passed. Call it on the context the
   * result should complete on; {@code future} must complete on that context too.
   */
  public static <T> Future<T> within(Vertx vertx, Future<T> future, long millis, Supplier<Throwable> onTimeout) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(millis, id -> result.tryFail(onTimeout.get()));
    future.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }
}
