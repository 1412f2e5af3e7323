package com.reactiveshop.nats;

import com.reactiveshop.common.async.AnswerLimit;
import com.reactiveshop.common.async.Deadlines;
import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.JsonRequests;
import com.reactiveshop.common.http.Unavailability;
import com.reactiveshop.common.logging.AccessLog;
import com.reactiveshop.common.service.MessageEndpoints;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service registered with the NATS Services API ({@code $SRV.PING|INFO|STATS}, {@code nats micro ls}), whose
 * endpoints listen in queue group {@code q} and whose handlers run on the context of the verticle that started it.
 * The jnats dispatcher thread only hands each message over; it never waits for the work.
 * <p>
 * So that an overload does not feed on itself, the dispatcher thread first drops, unanswered, a request whose
 * {@link RequestDeadline} has passed (its requester gave up), then refuses at once with 503 {@code overloaded} a
 * request beyond {@code maxInFlight} handed over and not yet answered; the context checks the deadline again just
 * before the handler runs, as a request may have waited there. Both are counted ({@link DropCounters}).
 * <p>
 * Answered requests are timed per subject ({@code nats_server_request_duration_seconds}, {@link NatsRequestMetrics})
 * and, with {@link AccessLog} on, logged. On a traced Vert.x each request is handled on a duplicate of the verticle's
 * context, where its SERVER span ({@link NatsTracing}) is current, and an error reply carries {@code error.traceId}.
 */
public final class NatsMicroService implements MessageEndpoints.Running {

  public static final String QUEUE_GROUP = "q";
  private static final Logger LOG = LoggerFactory.getLogger(NatsMicroService.class);
  /**
   * Requests one instance may have handed to its event loop and not yet answered. At the order service's 2 s timeout
   * and a few thousand answers per second per instance, this is a backlog that can still be answered in time;
   * requests beyond it would only wait until their caller has given up.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 512;
  /** How long a stopping service waits for requests in flight. */
  public static final Duration STOP_WAIT = Duration.ofSeconds(10);
  private static final ApiError OVERLOADED = new ApiError(503, DropCounters.OVERLOADED,
      "The service has too many requests in progress; try again shortly.");

  private final NatsBridge nats;
  private final Context context;
  private final String name;
  private final Service service;
  /** Null when Vert.x does not trace. */
  private final NatsTracing tracing;
  private final boolean accessLog;
  /** Requests handed over (queued on the context or being handled) and not yet answered or dropped. */
  private final InFlightLimit handedOver;
  private final List<DropCounters> drops = new ArrayList<>();
  /** Requests whose handler runs and has not answered yet; touched only on {@link #context}; what stop() waits for. */
  private int inFlight;
  /**
   * Each request is answered within this many ms from when its handler starts (0: no limit): a handler whose future
   * is not done by then is answered 503 {@code dependency_unavailable}, as a store that does not answer.
   */
  private final long answerWithinMs;
  private Promise<Void> drained;

  private NatsMicroService(NatsBridge nats, Context context, String name, String version, String description,
                           List<NatsEndpoint> endpoints, int maxInFlight, long answerWithinMs) {
    this.nats = nats;
    this.answerWithinMs = answerWithinMs;
    this.context = context;
    this.name = name;
    this.tracing = nats.tracing();
    this.accessLog = AccessLog.enabled();
    this.handedOver = new InFlightLimit(maxInFlight);
    // Null when Vert.x runs without metrics: the drops are then only in $SRV.STATS.
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    var builder = Service.builder().connection(nats.connection()).name(name).version(version)
        .description(description);
    for (NatsEndpoint endpoint : endpoints) {
      DropCounters counters = new DropCounters(name, registry);
      drops.add(counters);
      Served served = new Served(endpoint, counters, NatsRequestMetrics.served(registry, name, endpoint.subject()));
      builder.addServiceEndpoint(ServiceEndpoint.builder()
          .endpointName(endpoint.name())
          .endpointSubject(endpoint.subject())
          .endpointQueueGroup(QUEUE_GROUP)
          .statsDataSupplier(counters::statsData)
          .handler(message -> admit(served, message))
          .build());
    }
    this.service = builder.build();
  }

  /** An endpoint with what is counted about it: drops, and (null without metrics) the timers of answered requests. */
  private record Served(NatsEndpoint endpoint, DropCounters counters, NatsRequestMetrics.Timers timers) {
  }

  /**
   * {@code endpoints} as a service host's message endpoints: registered under the service's name, version and
   * description with {@link #DEFAULT_MAX_IN_FLIGHT}, handled on the instance's context.
   */
  public static MessageEndpoints endpoints(NatsBridge nats, List<NatsEndpoint> endpoints) {
    return (context, identity, answerWithinMs) -> start(nats, context, identity.name(), identity.version(),
        identity.description(), endpoints, DEFAULT_MAX_IN_FLIGHT, answerWithinMs);
  }

  /**
   * Registers the service with {@link #DEFAULT_MAX_IN_FLIGHT}; its handlers will run on {@code context} (the calling
   * verticle's).
   */
  public static Future<NatsMicroService> start(NatsBridge nats, Context context, String name, String version,
                                               String description, List<NatsEndpoint> endpoints) {
    return start(nats, context, name, version, description, endpoints, DEFAULT_MAX_IN_FLIGHT);
  }

  /**
   * Registers the service; its handlers will run on {@code context} (the calling verticle's), and at most
   * {@code maxInFlight} requests (over all its endpoints) wait there or are being handled at a time; more are
   * answered 503 {@code overloaded} at once.
   */
  public static Future<NatsMicroService> start(NatsBridge nats, Context context, String name, String version,
                                               String description, List<NatsEndpoint> endpoints, int maxInFlight) {
    return start(nats, context, name, version, description, endpoints, maxInFlight, 0);
  }

  /** As above, each request answered within {@code answerWithinMs} (0: no limit); see {@link #answerWithinMs}. */
  static Future<NatsMicroService> start(NatsBridge nats, Context context, String name, String version,
                                        String description, List<NatsEndpoint> endpoints, int maxInFlight,
                                        long answerWithinMs) {
    NatsMicroService micro = new NatsMicroService(nats, context, name, version, description, endpoints,
        maxInFlight, answerWithinMs);
    // startService subscribes and flushes, which waits on the network: keep it off the event loop.
    return nats.vertx().executeBlocking(() -> {
      micro.service.startService();
      return micro;
    }, false);
  }

  @Override
  public String id() {
    return service.getId();
  }

  /** Requests dropped because their deadline had passed, over all endpoints of this instance. */
  public long droppedExpired() {
    return drops.stream().mapToLong(DropCounters::expiredCount).sum();
  }

  /** Requests refused with 503 {@code overloaded}, over all endpoints of this instance. */
  public long refusedOverloaded() {
    return drops.stream().mapToLong(DropCounters::overloadedCount).sum();
  }

  /** Requests handed over and not yet answered or dropped (for tests). */
  int handedOver() {
    return handedOver.taken();
  }

  /**
   * On the jnats dispatcher thread: cheap checks only (a header, a counter, at most a publish), never the work.
   * jnats counts every message in {@code num_requests}, dropped or not; the drops are in the endpoint's data.
   */
  private void admit(Served served, ServiceMessage message) {
    long start = System.nanoTime();
    NatsEndpoint endpoint = served.endpoint();
    long deadline = RequestDeadline.of(message.getHeaders());
    if (RequestDeadline.hasPassed(deadline)) {
      // No reply: the requester has stopped listening, and a reply would only cost the network.
      served.counters().expired();
      return;
    }
    if (!handedOver.tryTake()) {
      // Answered here, not queued: the caller learns at once and can go elsewhere or back off.
      served.counters().overloaded();
      if (message.getReplyTo() != null) {
        respond(endpoint, message, null, OVERLOADED, null);
      }
      return;
    }
    try {
      if (tracing == null) {
        context.runOnContext(v -> dispatch(served, message, deadline, start, null));
      } else {
        // Its own duplicate of the verticle's context, so its span is current for its code alone.
        ContextInternal own = ((ContextInternal) context).duplicate();
        own.runOnContext(v -> dispatch(served, message, deadline, start, own));
      }
    } catch (RuntimeException e) {
      // Vert.x is closing: nothing will run it, so give the slot back; the requester times out.
      handedOver.give();
      LOG.warn("Could not hand over a request on {}: {}", endpoint.subject(), e.toString());
    }
  }

  /** On the verticle's context ({@code traced}: a duplicate of it, on a traced Vert.x). */
  private void dispatch(Served served, ServiceMessage message, long deadline, long start, ContextInternal traced) {
    NatsEndpoint endpoint = served.endpoint();
    // The request may have waited behind others on this event loop; the caller may have given up meanwhile.
    if (RequestDeadline.hasPassed(deadline)) {
      handedOver.give();
      served.counters().expired();
      return;
    }
    NatsTracing.Served span = traced == null ? null
        : tracing.serve(traced, name, endpoint.subject(), message.getHeaders());
    inFlight++;
    Future<Buffer> reply;
    try {
      JsonObject request = JsonRequests.object(message.getData() == null ? null : Buffer.buffer(message.getData()));
      reply = endpoint.reply(request);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    if (reply == null) {
      // A handler bug; without a future nothing would ever give the slot back.
      reply = Future.failedFuture(new IllegalStateException(endpoint.subject() + " handler returned no future"));
    }
    // The slot (handedOver) and the count stop() waits for (inFlight) stay taken until the work is done, also when an
    // answer limit answers its caller 503 before: the limit bounds the wait, not the work. Callbacks run here.
    Future<Buffer> work = answerWithinMs > 0 && !reply.isComplete() ? AnswerLimit.here(reply) : reply;
    // Given back before replying: once the requester sees this reply, its next request finds the slot free (after a
    // 503 from the limit, the slot stays taken until the work is done: a retry at once may be answered overloaded).
    work.onComplete(ar -> handedOver.give());
    Future<Buffer> answer = work == reply ? reply : work.timeout(answerWithinMs, TimeUnit.MILLISECONDS);
    answer.onComplete(ar -> {
      ApiError error = ar.succeeded() ? null : asApiError(endpoint, ar.cause());
      if (message.getReplyTo() != null) {
        respond(endpoint, message, ar.result(), error, span);
      }
      answered(served, error == null ? 200 : error.status(), start, span);
    });
    // Registered after the reply, so that a stop waiting for this count never overtakes it.
    (answer == work ? answer : Future.join(work, answer)).onComplete(ar -> {
      if (--inFlight == 0 && drained != null) {
        drained.tryComplete();
      }
    });
  }

  /** A request was answered with {@code status}: its timer, its span, its access line. */
  private void answered(Served served, int status, long start, NatsTracing.Served span) {
    if (served.timers() != null) {
      served.timers().record(NatsRequestMetrics.Outcome.ofStatus(status), start);
    }
    if (accessLog) {
      AccessLog.nats(name, served.endpoint().subject(), status, start,
          span == null ? null : span.span().getSpanContext());
    }
    if (span != null) {
      span.end(status);
    }
  }

  /** Sends {@code result}, or {@code error} (non-null) as the contract's error reply. */
  private void respond(NatsEndpoint endpoint, ServiceMessage message, Buffer result, ApiError error,
                       NatsTracing.Served span) {
    Connection connection = nats.connection();
    try {
      if (error == null) {
        message.respond(connection, result.getBytes());
        return;
      }
      Headers headers = new Headers()
          .put(ServiceMessage.NATS_SERVICE_ERROR, error.getMessage())
          .put(ServiceMessage.NATS_SERVICE_ERROR_CODE, String.valueOf(error.status()));
      JsonObject body = error.toJson();
      if (span != null) {
        body.getJsonObject("error").put("traceId", span.traceId());
      }
      message.respond(connection, body.toBuffer().getBytes(), headers);
    } catch (RuntimeException e) {
      // The connection is closed or reconnecting: the requester times out and retries; nothing else to do.
      LOG.warn("Could not reply on {}: {}", endpoint.subject(), e.toString());
    }
  }

  private static ApiError asApiError(NatsEndpoint endpoint, Throwable failure) {
    return failure instanceof ApiError apiError ? apiError : internal(endpoint, failure);
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
  @Override
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
