package com.reactiveshop.nats;

import com.reactiveshop.common.async.Deadlines;
import com.reactiveshop.common.health.HealthCheck;
import com.reactiveshop.common.http.ApiError;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.service.ServiceMessage;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The process's one NATS connection, seen from Vert.x. Requests return a {@link Future} completed on the caller's
 * context; a request nobody serves fails at once (the server reports "no responders"); every request has a timeout.
 * Connecting and closing block, so they run on a worker thread, never on an event loop.
 * <p>
 * Each request's latency goes into {@code nats_client_request_duration_seconds} ({@link NatsRequestMetrics}); on a
 * traced Vert.x, a request sent while a traced request is handled is a span of its own and carries its
 * {@code traceparent} ({@link NatsTracing}).
 */
public final class NatsBridge {

  private static final Logger LOG = LoggerFactory.getLogger(NatsBridge.class);
  private static final String NO_RESPONDERS = "no responders";

  private final Vertx vertx;
  private final Connection connection;
  private final List<Runnable> reconnectListeners;
  /** Null when Vert.x does not trace. */
  private final NatsTracing tracing;
  /** Null when Vert.x runs without metrics. */
  private final NatsRequestMetrics metrics;

  private NatsBridge(Vertx vertx, Connection connection, List<Runnable> reconnectListeners) {
    this.vertx = vertx;
    this.connection = connection;
    this.reconnectListeners = reconnectListeners;
    this.tracing = NatsTracing.of(vertx);
    this.metrics = NatsRequestMetrics.of(BackendRegistries.getDefaultNow());
  }

  /** Connects (reconnecting forever afterwards); fails if the server cannot be reached at first. */
  public static Future<NatsBridge> connect(Vertx vertx, String url, String connectionName) {
    List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    Options options = new Options.Builder()
        .server(url)
        .connectionName(connectionName)
        .reportNoResponders()
        .maxReconnects(-1)
        .reconnectWait(Duration.ofMillis(500))
        .connectionTimeout(Duration.ofSeconds(5))
        .requestCleanupInterval(Duration.ofSeconds(1))
        .maxMessagesInOutgoingQueue(100_000)
        .connectionListener(connectionEvents(url, reconnectListeners))
        .errorListener(new ErrorListener() {
          @Override
          public void errorOccurred(Connection conn, String error) {
            LOG.warn("NATS error: {}", error);
          }

          @Override
          public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.warn("NATS exception: {}", exp.toString());
          }
        })
        .build();
    return vertx.executeBlocking(() -> new NatsBridge(vertx, Nats.connect(options), reconnectListeners), false);
  }

  private static ConnectionListener connectionEvents(String url, List<Runnable> reconnectListeners) {
    return (conn, event) -> {
      LOG.info("NATS {} ({})", event, url);
      if (event == ConnectionListener.Events.RECONNECTED || event == ConnectionListener.Events.RESUBSCRIBED) {
        reconnectListeners.forEach(Runnable::run);
      }
    };
  }

  /**
   * Runs {@code listener} (on a jnats thread: hand it to a context before touching verticle state) each time the
   * connection is back after a loss and its subscriptions are restored, e.g. so circuit breakers opened by the outage
   * try again at once instead of waiting out their reset time.
   */
  public void onReconnected(Runnable listener) {
    reconnectListeners.add(listener);
  }

  public void removeReconnectedListener(Runnable listener) {
    reconnectListeners.remove(listener);
  }

  public Connection connection() {
    return connection;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The tracing of NATS hops, or null when this process does not trace. */
  public NatsTracing tracing() {
    return tracing;
  }

  public boolean isConnected() {
    return connection.getStatus() == Connection.Status.CONNECTED;
  }

  /** Succeeds when the server answers a round trip (a flush), within two seconds. */
  public Future<Void> ping() {
    if (!isConnected()) {
      return Future.failedFuture("NATS connection is " + connection.getStatus());
    }
    return vertx.executeBlocking(() -> {
      connection.flush(Duration.ofSeconds(2));
      return null;
    }, false);
  }

  /** The readiness check {@code nats}: the connection is up and the server answers a round trip. */
  public HealthCheck healthCheck() {
    return new HealthCheck("nats", () -> ping().map(v -> (JsonObject) null));
  }

  /**
   * Sends a JSON request and completes, on the caller's context, with the JSON reply. An error reply (with the
   * {@code Nats-Service-Error-Code} header) fails with the {@link ApiError} it carries (503 {@code overloaded} when
   * the service refused it for having too many in flight); no answer fails with {@link NatsUnavailableException}.
   * The request carries its deadline, now + {@code timeout}, in the {@link RequestDeadline#HEADER} header.
   */
  public Future<JsonObject> request(String subject, JsonObject body, Duration timeout) {
    return request(subject, null, body, timeout);
  }

  /**
   * As {@link #request(String, JsonObject, Duration)}, sending {@code headers} too (e.g. {@code traceparent}); they
   * are copied, never changed. The request always carries {@link RequestDeadline#HEADER} = now + {@code timeout}
   * (or the earlier deadline found in {@code headers}), so a service can skip it once this caller has given up.
   */
  public Future<JsonObject> request(String subject, Headers headers, JsonObject body, Duration timeout) {
    Context context = vertx.getOrCreateContext();
    long start = System.nanoTime();
    if (!isConnected()) {
      NatsUnavailableException down = new NatsUnavailableException("NATS is " + connection.getStatus(), true);
      measure(subject, start, null, down);
      return Future.failedFuture(down);
    }
    // An absolute wall-clock time, so it means the same in the serving process: the clocks of one deployment are
    // assumed NTP-synced (see RequestDeadline).
    Headers sent = RequestDeadline.stamp(headers, System.currentTimeMillis() + timeout.toMillis());
    Span span = tracing == null ? null : tracing.request(subject, sent);
    Promise<Message> promise = Promise.promise();
    connection.requestWithTimeout(subject, sent, body.toBuffer().getBytes(), timeout)
        .whenComplete((message, failure) -> context.runOnContext(v -> {
          if (failure == null) {
            promise.tryComplete(message);
          } else {
            String reason = describe(failure);
            promise.tryFail(new NatsUnavailableException(subject + ": " + reason, NO_RESPONDERS.equals(reason)));
          }
        }));
    // jnats only sweeps timed-out requests now and then, so the deadline is kept here, on the caller's context.
    Future<JsonObject> reply = Deadlines.within(vertx, promise.future(), timeout.toMillis(),
            () -> new NatsUnavailableException(subject + ": no reply within " + timeout.toMillis() + " ms", false))
        .compose(message -> decode(subject, message));
    if (metrics != null || span != null) {
      reply.onComplete(ar -> measure(subject, start, span, ar.cause()));
    }
    return reply;
  }

  private void measure(String subject, long start, Span span, Throwable failure) {
    if (metrics != null) {
      metrics.sent(subject, NatsRequestMetrics.Outcome.of(failure), start);
    }
    NatsTracing.end(span, failure);
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    String text = String.valueOf(cause.getMessage());
    return text.contains("503") || text.toLowerCase().contains("no responders") ? NO_RESPONDERS : text;
  }

  private static Future<JsonObject> decode(String subject, Message message) {
    JsonObject body;
    try {
      Object value = Json.decodeValue(Buffer.buffer(message.getData()));
      body = value instanceof JsonObject object ? object : null;
    } catch (RuntimeException e) {
      body = null;
    }
    Headers headers = message.getHeaders();
    String code = headers == null ? null : headers.getFirst(ServiceMessage.NATS_SERVICE_ERROR_CODE);
    if (code != null) {
      int status = parseStatus(code);
      ApiError error = ApiError.fromJson(status, body);
      return Future.failedFuture(error != null ? error : new ApiError(status, "remote_error",
          String.valueOf(headers.getFirst(ServiceMessage.NATS_SERVICE_ERROR))));
    }
    if (body == null) {
      return Future.failedFuture(new IllegalStateException(subject + " replied with something that is not JSON"));
    }
    return Future.succeededFuture(body);
  }

  private static int parseStatus(String code) {
    try {
      return Integer.parseInt(code.trim());
    } catch (NumberFormatException e) {
      return 500;
    }
  }

  /** Publishes one message (fire and forget); buffered by jnats, so it does not block. */
  public void publish(String subject, Headers headers, byte[] body) {
    connection.publish(subject, headers, body);
  }

  /** Drains subscriptions, then closes; blocking, so it runs on a worker. */
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      // Draining flushes, and a flush waits for a connection: with the server gone, just close.
      if (isConnected()) {
        try {
          connection.drain(Duration.ofSeconds(5)).get(6, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.debug("NATS drain did not finish cleanly: {}", e.toString());
        }
      }
      connection.close();
      return null;
    }, false);
  }
}
