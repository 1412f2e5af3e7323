package com.reactiveshop.nats;

import com.reactiveshop.common.async.Deadlines;
import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.JsonRequests;
import com.reactiveshop.common.http.Unavailability;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * A service registered with the NATS Services API ({@code $SRV.PING|INFO|STATS}, {@code nats micro ls}), whose
 * endpoints listen in queue group {@code q} and whose handlers run on the context of the verticle that started it.
 * The jnats dispatcher thread only hands each message over; it never waits for the work.
 */
public final class NatsMicroService {

  public static final String QUEUE_GROUP = "q";
  private static final Logger LOG = LoggerFactory.getLogger(NatsMicroService.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final NatsBridge nats;
  private final Context context;
  private final Service service;
  /** Requests handed to the context and not yet answered; touched only on {@link #context}. */
  private int inFlight;
  private Promise<Void> drained;

  private NatsMicroService(NatsBridge nats, Context context, String name, String version, String description,
                           List<NatsEndpoint> endpoints) {
    this.nats = nats;
    this.context = context;
    var builder = Service.builder().connection(nats.connection()).name(name).version(version)
        .description(description);
    for (NatsEndpoint endpoint : endpoints) {
      builder.addServiceEndpoint(ServiceEndpoint.builder()
          .endpointName(endpoint.name())
          .endpointSubject(endpoint.subject())
          .endpointQueueGroup(QUEUE_GROUP)
          .handler(message -> context.runOnContext(v -> dispatch(endpoint, message)))
          .build());
    }
    this.service = builder.build();
  }

  /** Registers the service; its handlers will run on {@code context} (the calling verticle's). */
  public static Future<NatsMicroService> start(NatsBridge nats, Context context, String name, String version,
                                               String description, List<NatsEndpoint> endpoints) {
    NatsMicroService micro = new NatsMicroService(nats, context, name, version, description, endpoints);
    // startService subscribes and flushes, which waits on the network: keep it off the event loop.
    return nats.vertx().executeBlocking(() -> {
      micro.service.startService();
      return micro;
    }, false);
  }

  public String id() {
    return service.getId();
  }

  private void dispatch(NatsEndpoint endpoint, ServiceMessage message) {
    inFlight++;
    Future<JsonObject> reply;
    try {
      JsonObject request = JsonRequests.object(message.getData() == null ? null : Buffer.buffer(message.getData()));
      reply = endpoint.handler().handle(request);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(ar -> {
      if (message.getReplyTo() != null) {
        respond(endpoint, message, ar.succeeded() ? ar.result() : null, ar.cause());
      }
      if (--inFlight == 0 && drained != null) {
        drained.tryComplete();
      }
    });
  }

  private void respond(NatsEndpoint endpoint, ServiceMessage message, JsonObject result, Throwable failure) {
    Connection connection = nats.connection();
    try {
      if (failure == null) {
        message.respond(connection, result.toBuffer().getBytes());
        return;
      }
      ApiError error = failure instanceof ApiError apiError ? apiError : internal(endpoint, failure);
      Headers headers = new Headers()
          .put(ServiceMessage.NATS_SERVICE_ERROR, error.getMessage())
          .put(ServiceMessage.NATS_SERVICE_ERROR_CODE, String.valueOf(error.status()));
      message.respond(connection, error.toJson().toBuffer().getBytes(), headers);
    } catch (RuntimeException e) {
      // The connection is closed or reconnecting: the requester times out and retries; nothing else to do.
      LOG.warn("Could not reply on {}: {}", endpoint.subject(), e.toString());
    }
  }

  private static ApiError internal(NatsEndpoint endpoint, Throwable failure) {
    if (failure instanceof NatsUnavailableException) {
      return ApiError.unavailable("dependency_unavailable", failure.getMessage(), 1);
    }
    if (Unavailability.isUnavailable(failure)) {
      LOG.warn("{}: a dependency is not answering: {}", endpoint.subject(), String.valueOf(failure));
      return Unavailability.toApiError();
    }
    LOG.error("Unexpected failure handling {}", endpoint.subject(), failure);
    return new ApiError(500, "internal_error", "Something went wrong on our side.");
  }

  /**
   * Stops taking requests (the subscriptions are drained, so queued ones are still handed over), then waits, up to
   * ten seconds, for those already being handled to be answered. Call it from the owning verticle's context (the
   * whole chain stays on it).
   */
  public Future<Void> stop() {
    return nats.vertx().executeBlocking(() -> {
      // Draining needs the server; with it gone there is nothing to drain.
      service.stop(nats.isConnected());
      return null;
    }, false).transform(ar -> {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        drained = done;
        if (inFlight == 0) {
          done.tryComplete();
        }
      });
      return Deadlines.within(nats.vertx(), done.future(), STOP_WAIT.toMillis(),
              () -> new IllegalStateException("requests still in flight"))
          .recover(e -> Future.succeededFuture());
    });
  }
}
