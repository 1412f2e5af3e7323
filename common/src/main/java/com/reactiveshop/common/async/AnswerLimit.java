package com.reactiveshop.common.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.TimeUnit;

/**
 * Time limits on work a caller waits for, kept on the caller's context. A store's or a {@code Future.all}'s future may
 * carry no context; its {@code timeout} would then fire, and run what follows it, on Netty's global executor thread,
 * off the verticle's event loop. Call these on a Vert.x context.
 */
public final class AnswerLimit {

  private AnswerLimit() {
  }

  /** A promise whose callbacks run on the calling context (a plain one off any context). */
  public static <T> Promise<T> promiseHere() {
    ContextInternal context = ContextInternal.current();
    return context == null ? Promise.promise() : context.promise();
  }

  /** {@code work}'s outcome, with its callbacks on the calling context. */
  public static <T> Future<T> here(Future<T> work) {
    Promise<T> here = promiseHere();
    work.onComplete(here);
    return here.future();
  }

  /**
   * {@code work}'s outcome, or a {@link java.util.concurrent.TimeoutException} after {@code ms}; callbacks on the
   * calling context. The work goes on: only the caller stops waiting. With {@code ms} 0 (no limit), or work already
   * done, {@code work} itself: nothing to wait for, no timer.
   */
  public static <T> Future<T> within(Future<T> work, long ms) {
    return ms <= 0 || work.isComplete() ? work : here(work).timeout(ms, TimeUnit.MILLISECONDS);
  }
}
