package com.reactiveshop.common.service;

import com.reactiveshop.common.health.HealthRoutes;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.logging.LogFields;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.openapi.OpenApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs one instance of a service: the subclass says what the service is ({@link #declare}); the host owns the order.
 * <p>
 * Start: what {@code declare} opens, then the steps before serving in declaration order (indexes, migrations,
 * relays), then the message endpoints, then the HTTP server and its discovery record, then the background tasks.
 * Requests arrive only once what they need runs, and HTTP, which the gateway routes to, comes last.
 * <p>
 * Stop: the HTTP server (its record withdrawn first, so routers stop sending before it stops accepting), then the
 * message endpoints (both finish what is in flight), then every task at once and the work requests left pending,
 * then what was opened, the last opened first. Vert.x does not call {@code stop()} after a failed start, so a failed
 * start stops what did start, the same way, before it fails: nothing keeps answering for an instance that is not
 * deployed.
 */
public abstract class ServiceHost extends VerticleBase {

  private final ServiceIdentity identity;
  private final ServiceSettings settings;
  private ServiceDeclaration declared;
  private final List<Supplier<Future<?>>> taskStops = new ArrayList<>();
  private MessageEndpoints.Running endpoints;
  private HttpService http;

  protected ServiceHost(ServiceIdentity identity, ServiceSettings settings) {
    this.identity = identity;
    this.settings = settings;
  }

  /** Builds this instance's service into {@code service}; called on the instance's context at each start. */
  protected abstract void declare(ServiceDeclaration service);

  @Override
  public final Future<?> start() {
    LogFields.tagService(context, identity.name());
    declared = new ServiceDeclaration();
    return Future.succeededFuture().compose(v -> {
          declare(declared);
          return beforeServing();
        })
        .compose(v -> declared.endpoints == null ? Future.succeededFuture()
            : declared.endpoints.start(context, identity, declared.answerWithinMs).map(started -> {
              endpoints = started;
              return null;
            }))
        .compose(v -> HttpService.start(vertx, settings, identity.name(), identity.api(), router()))
        .map(started -> {
          http = started;
          for (ServiceDeclaration.Task task : declared.onceServing) {
            task.start().run();
            taskStops.add(task.stop());
          }
          return null;
        })
        .recover(failure -> stop().transform(stopped -> Future.failedFuture(failure)));
  }

  /** The steps before serving, one after the other; each that started is stopped again by {@link #stop}. */
  private Future<Void> beforeServing() {
    Future<Void> chain = Future.succeededFuture();
    for (ServiceDeclaration.Step step : declared.beforeServing) {
      chain = chain.compose(v -> step.start().get().map(started -> {
        if (step.stop() != null) {
          taskStops.add(step.stop());
        }
        return null;
      }));
    }
    return chain;
  }

  private Router router() {
    ApiRouter router = ApiRouter.create(vertx).answeringWithin(declared.answerWithinMs);
    declared.routes.forEach(mount -> mount.accept(router));
    HealthRoutes.mount(router, List.copyOf(declared.healthChecks));
    Metrics.mount(router);
    OpenApiRoutes.mount(router, identity.api());
    return router.build();
  }

  @Override
  public final Future<?> stop() {
    HttpService serving = http;
    MessageEndpoints.Running answering = endpoints;
    List<Supplier<Future<?>>> tasks = new ArrayList<>(taskStops);
    List<Supplier<Future<?>>> closes = new ArrayList<>();
    if (declared != null) {
      tasks.addAll(declared.finishes);
      closes.addAll(declared.closes);
    }
    http = null;
    endpoints = null;
    taskStops.clear();
    declared = null;
    Future<Void> httpStopped = serving == null ? Future.succeededFuture() : serving.stop();
    return httpStopped
        .eventually(() -> answering == null ? Future.succeededFuture() : answering.stop())
        .eventually(() -> Future.join(tasks.stream().map(ServiceHost::attempt).toList()))
        .eventually(() -> closeLastFirst(closes));
  }

  private static Future<Void> closeLastFirst(List<Supplier<Future<?>>> closes) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = closes.size() - 1; i >= 0; i--) {
      Supplier<Future<?>> close = closes.get(i);
      chain = chain.eventually(() -> attempt(close));
    }
    return chain;
  }

  /** A stop or close that throws is a failed one: the ones after it still run. */
  private static Future<?> attempt(Supplier<Future<?>> action) {
    try {
      Future<?> done = action.get();
      return done == null ? Future.succeededFuture() : done;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The port actually bound (useful when the settings asked for 0). */
  public int httpPort() {
    return http.port();
  }

  /** This instance's id in its message protocol ({@code $SRV.INFO}, {@code $SRV.STATS} for NATS). */
  public String endpointsId() {
    return endpoints.id();
  }
}
