package com.reactiveshop.common.service;

import com.reactiveshop.common.health.HealthCheck;
import com.reactiveshop.common.http.ApiRouter;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one instance of a service consists of, filled in by {@link ServiceHost#declare}: what it opened and must
 * close, its routes and health checks, what runs before it serves, its message endpoints, and the background tasks
 * that start once its HTTP server is up. It only records: {@link ServiceHost} starts and stops it all, in its order.
 */
public final class ServiceDeclaration {

  /** A step before serving; {@code stop} is null when there is nothing to undo. */
  record Step(Supplier<Future<?>> start, Supplier<Future<?>> stop) {
  }

  /** A background task started once the HTTP server is up. */
  record Task(Runnable start, Supplier<Future<?>> stop) {
  }

  final List<Supplier<Future<?>>> closes = new ArrayList<>();
  final List<Consumer<ApiRouter>> routes = new ArrayList<>();
  final List<HealthCheck> healthChecks = new ArrayList<>();
  final List<Step> beforeServing = new ArrayList<>();
  final List<Task> onceServing = new ArrayList<>();
  final List<Supplier<Future<?>>> finishes = new ArrayList<>();
  MessageEndpoints endpoints;
  /** 0: no limit. */
  long answerWithinMs;

  ServiceDeclaration() {
  }

  /**
   * Something just opened (a client, a cache): returned as it is, and closed with {@code close} when the service
   * stops or fails to start, after everything else, the last opened first.
   */
  public <T> T closing(T resource, Function<? super T, Future<?>> close) {
    closes.add(() -> close.apply(resource));
    return resource;
  }

  /** Mounts the service's routes (the health, metrics and OpenAPI routes are the host's). */
  public ServiceDeclaration routes(Consumer<ApiRouter> mount) {
    routes.add(mount);
    return this;
  }

  /** What {@code /health/ready} asks, beside nothing else. */
  public ServiceDeclaration healthChecks(HealthCheck... checks) {
    healthChecks.addAll(Arrays.asList(checks));
    return this;
  }

  /** A step before serving (indexes, migrations), in declaration order; nothing to undo. */
  public ServiceDeclaration prepare(Supplier<Future<?>> step) {
    beforeServing.add(new Step(step, null));
    return this;
  }

  /**
   * Work that must run before requests come in (a relay that publishes what requests commit), started in declaration
   * order with the {@link #prepare} steps; stopped once no request is served any more.
   */
  public ServiceDeclaration startBeforeServing(Supplier<Future<?>> start, Supplier<Future<?>> stop) {
    beforeServing.add(new Step(start, stop));
    return this;
  }

  /** {@link #startBeforeServing} for a task whose start returns at once. */
  public ServiceDeclaration runBeforeServing(Runnable start, Supplier<Future<?>> stop) {
    return startBeforeServing(() -> {
      start.run();
      return Future.succeededFuture();
    }, stop);
  }

  /** The endpoints the service answers besides HTTP. */
  public ServiceDeclaration endpoints(MessageEndpoints endpoints) {
    this.endpoints = endpoints;
    return this;
  }

  /**
   * Every request (HTTP route or message endpoint) is answered within {@code ms}: one still waiting on a store then
   * gets 503 with {@code Retry-After}. A store that stops answering without closing its connections (a paused server,
   * a network that drops packets) is then a fast 503, not a wait as long as the driver's socket timeout. The work
   * itself is not cancelled: its outcome is unknown to the client, as for any 503.
   */
  public ServiceDeclaration answerWithin(long ms) {
    this.answerWithinMs = ms;
    return this;
  }

  /** A background task (a sweeper, a janitor) started once the HTTP server is up; stopped after serving ends. */
  public ServiceDeclaration runOnceServing(Runnable start, Supplier<Future<?>> stop) {
    onceServing.add(new Task(start, stop));
    return this;
  }

  /**
   * Work requests leave pending (writes held back to be batched), finished once serving has stopped, together with
   * the tasks and before anything closes; also after a failed start.
   */
  public ServiceDeclaration finishing(Supplier<Future<?>> finish) {
    finishes.add(finish);
    return this;
  }
}
