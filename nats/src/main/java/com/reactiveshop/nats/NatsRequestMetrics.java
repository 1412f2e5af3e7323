package com.reactiveshop.nats;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.metrics.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Latency histograms of NATS requests, per subject, on both sides: {@code nats_client_request_duration_seconds}
 * (requests this process sent, until the reply or the failure; labels {@code subject}, {@code outcome}) and
 * {@code nats_server_request_duration_seconds} (requests a micro service answered, from their arrival to the reply;
 * labels {@code service}, {@code subject}, {@code outcome}). Subjects are the fixed names of the endpoints, never an
 * id, so the number of series stays bounded. Timers are made once per subject and looked up without allocating.
 */
final class NatsRequestMetrics {

  static final String CLIENT = "nats.client.request.duration";
  static final String SERVER = "nats.server.request.duration";

  /** How a request ended. */
  enum Outcome {
    /** Answered with a result. */
    OK("ok"),
    /** Answered with a 4xx error: the service said no (unknown id, short stock, bad request). */
    CLIENT_ERROR("client_error"),
    /** Answered with a 5xx error. */
    SERVER_ERROR("server_error"),
    /** No reply in time (the request may still have been carried out). */
    TIMEOUT("timeout"),
    /** Nobody to send it to: no responders, or no connection. */
    UNAVAILABLE("unavailable");

    final String label;

    Outcome(String label) {
      this.label = label;
    }

    static Outcome ofStatus(int status) {
      return status < 400 ? OK : status < 500 ? CLIENT_ERROR : SERVER_ERROR;
    }

    /** The outcome of a request that failed with {@code failure} (null: it succeeded). */
    static Outcome of(Throwable failure) {
      if (failure == null) {
        return OK;
      }
      if (failure instanceof ApiError error) {
        return ofStatus(error.status());
      }
      if (failure instanceof NatsUnavailableException unavailable) {
        return unavailable.notDelivered() ? UNAVAILABLE : TIMEOUT;
      }
      return SERVER_ERROR;
    }
  }

  /** One timer per outcome, for one subject, each registered when first needed (no series for outcomes never seen). */
  static final class Timers {
    private final Timer.Builder[] builders = new Timer.Builder[Outcome.values().length];
    private final Timer[] byOutcome = new Timer[Outcome.values().length];
    private final MeterRegistry registry;

    private Timers(MeterRegistry registry, String name, String service, String subject) {
      this.registry = registry;
      for (Outcome outcome : Outcome.values()) {
        Timer.Builder builder = Metrics.latencyTimer(name)
            .description(CLIENT.equals(name) ? "NATS requests sent, until the reply"
                : "NATS requests a micro service answered, from arrival to reply")
            .tag("subject", subject)
            .tag("outcome", outcome.label);
        if (service != null) {
          builder.tag("service", service);
        }
        builders[outcome.ordinal()] = builder;
      }
    }

    void record(Outcome outcome, long startNanos) {
      Timer timer = byOutcome[outcome.ordinal()];
      if (timer == null) {
        // Racing threads both register: Micrometer hands both the same timer.
        timer = builders[outcome.ordinal()].register(registry);
        byOutcome[outcome.ordinal()] = timer;
      }
      timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  private final MeterRegistry registry;
  private final Map<String, Timers> clientTimers = new ConcurrentHashMap<>();

  private NatsRequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Null without a registry (Vert.x without metrics): nothing is recorded then. */
  static NatsRequestMetrics of(MeterRegistry registry) {
    return registry == null ? null : new NatsRequestMetrics(registry);
  }

  /** A request sent on {@code subject} ended. */
  void sent(String subject, Outcome outcome, long startNanos) {
    Timers timers = clientTimers.get(subject);
    if (timers == null) {
      timers = clientTimers.computeIfAbsent(subject, s -> new Timers(registry, CLIENT, null, s));
    }
    timers.record(outcome, startNanos);
  }

  /** The timers of one endpoint of a micro service (null without a registry). */
  static Timers served(MeterRegistry registry, String service, String subject) {
    return registry == null ? null : new Timers(registry, SERVER, service, subject);
  }
}
