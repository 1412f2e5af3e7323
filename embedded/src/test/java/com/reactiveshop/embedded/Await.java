package com.reactiveshop.embedded;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking reads of the reactive-streams driver's publishers, each wait bounded (the sync driver is not in ~/.m2). */
final class Await {

  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private Await() {
  }

  /** Every item, once the publisher completed. */
  static <T> List<T> all(Publisher<T> publisher) {
    CompletableFuture<List<T>> done = new CompletableFuture<>();
    publisher.subscribe(new Subscriber<T>() {
      private final List<T> items = new ArrayList<>();

      @Override
      public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(T item) {
        items.add(item);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onComplete() {
        done.complete(items);
      }
    });
    try {
      return done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The single item (an acknowledged write's result, a command's reply). */
  static <T> T one(Publisher<T> publisher) {
    List<T> items = all(publisher);
    if (items.size() != 1) {
      throw new IllegalStateException("expected one item, got " + items);
    }
    return items.get(0);
  }
}
