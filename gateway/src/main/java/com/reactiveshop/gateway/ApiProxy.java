package com.reactiveshop.gateway;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.Reply;
import com.reactiveshop.common.logging.AccessLog;
import com.reactiveshop.common.tracing.CurrentSpan;
import com.reactiveshop.common.tracing.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Passes {@code /api/users…}, {@code /api/products…} and {@code /api/orders…} to a live instance of the owning service,
 * round-robin over the distinct endpoints discovery knows. Method, path, query, headers and body go through unchanged
 * (streamed, not buffered: the services enforce the body limit themselves), and so do status, headers and body back.
 * An instance that refuses the connection is skipped once in favour of the next one; with none left the answer is
 * 503 {@code service_unavailable}.
 * <p>
 * On a traced Vert.x the gateway's server span (named after the API) is the parent of its client span, whose
 * {@code traceparent} replaces the one the client sent (which the server span continues), and the answer carries the
 * trace id header once; untraced, a client's {@code traceparent} goes through unchanged. With {@link AccessLog} on,
 * each proxied request is logged once answered.
 */
final class ApiProxy {

  /** The API prefixes the gateway routes (CONTRACT.md); the services publish them as {@code metadata.api}. */
  static final List<String> APIS = List.of("/api/users", "/api/products", "/api/orders");

  private static final Logger LOG = LoggerFactory.getLogger(ApiProxy.class);
  private static final long IDLE_TIMEOUT_MS = 30_000;
  /** Headers about one connection, not the message (RFC 9110 §7.6.1): never forwarded. */
  /** Trace context headers: a traced gateway sends its own (its client span's) instead of the client's. */
  private static final Set<String> TRACE_CONTEXT = Set.of("traceparent", "tracestate");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
      // Answered by the gateway itself (see forward), so the service never waits on it.
      "expect");

  private final HttpClient client;
  private final ServiceDirectory directory;
  /** Next endpoint index per API; only touched on the gateway's context. */
  private final Map<String, Integer> cursors = new HashMap<>();
  private final boolean traced;
  private final boolean accessLog;

  ApiProxy(HttpClient client, ServiceDirectory directory, boolean traced, boolean accessLog) {
    this.client = client;
    this.directory = directory;
    this.traced = traced;
    this.accessLog = accessLog;
  }

  /** The API prefix that owns {@code path}, or null when the gateway does not proxy it. */
  static String apiOf(String path) {
    if (path == null) {
      return null;
    }
    for (String api : APIS) {
      if (path.startsWith(api) && (path.length() == api.length() || path.charAt(api.length()) == '/')) {
        return api;
      }
    }
    return null;
  }

  void handle(HttpServerRequest request, String api) {
    // Hold the body until an instance is connected; it is then streamed straight through.
    request.pause();
    request.routed(api);
    if (traced || accessLog) {
      observe(request, api);
    }
    List<Endpoint> endpoints = directory.endpoints(api);
    Future<List<Endpoint>> known = endpoints.isEmpty()
        ? directory.refresh().map(records -> directory.endpoints(api)).otherwise(List.of())
        : Future.succeededFuture(endpoints);
    known.compose(candidates -> connect(request, api, candidates))
        .onSuccess(outbound -> forward(request, outbound))
        .onFailure(failure -> {
          request.resume();
          unavailable(request, api, failure);
        });
  }

  /** The trace id header and span name of a traced request; the access line once it is answered. */
  private void observe(HttpServerRequest request, String api) {
    SpanContext span = null;
    if (traced) {
      CurrentSpan.route(request.method().name() + " " + api, api);
      span = CurrentSpan.ids();
      if (span != null) {
        request.response().headers().set(Tracing.TRACE_ID_HEADER, span.getTraceId());
      }
    }
    if (accessLog) {
      long start = System.nanoTime();
      SpanContext ids = span;
      request.response().endHandler(v -> AccessLog.http(request.method().name(), request.path(), api,
          request.response().getStatusCode(), start, ids));
    }
  }

  /** A request to the next instance in turn; if it cannot be reached, one more try on the instance after it. */
  private Future<HttpClientRequest> connect(HttpServerRequest request, String api, List<Endpoint> candidates) {
    if (candidates.isEmpty()) {
      return Future.failedFuture(new NoInstanceException());
    }
    int first = Math.floorMod(cursors.merge(api, 1, Integer::sum) - 1, candidates.size());
    Endpoint firstChoice = candidates.get(first);
    return client.request(options(request, firstChoice, api)).recover(failure -> {
      LOG.warn("{} at {} did not accept a connection: {}", api, firstChoice, failure.toString());
      directory.refresh(); // it may be gone: do not wait for the next periodic refresh
      if (candidates.size() < 2) {
        return Future.failedFuture(failure);
      }
      return client.request(options(request, candidates.get((first + 1) % candidates.size()), api));
    });
  }

  private RequestOptions options(HttpServerRequest request, Endpoint endpoint, String api) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    Set<String> named = connectionTokens(request.headers());
    request.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(lower) && !named.contains(lower) && !(traced && TRACE_CONTEXT.contains(lower))) {
        headers.add(name, value);
      }
    });
    String host = request.authority() == null ? null : request.authority().toString();
    if (host != null) {
      headers.set("X-Forwarded-Host", host);
    }
    if (request.remoteAddress() != null && request.remoteAddress().hostAddress() != null) {
      String prior = request.headers().get("X-Forwarded-For");
      String client = request.remoteAddress().hostAddress();
      headers.set("X-Forwarded-For", prior == null ? client : prior + ", " + client);
    }
    headers.set("X-Forwarded-Proto", request.scheme());
    RequestOptions options = new RequestOptions();
    if (traced) {
      options.setTraceOperation(request.method().name() + " " + api);
    }
    return options
        .setMethod(request.method())
        .setHost(endpoint.host())
        .setPort(endpoint.port())
        .setSsl(endpoint.ssl())
        .setURI(request.uri())
        .setHeaders(headers)
        .setIdleTimeout(IDLE_TIMEOUT_MS);
  }

  private void forward(HttpServerRequest request, HttpClientRequest outbound) {
    Future<HttpClientResponse> answered;
    if (hasBody(request)) {
      if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
        // An instance is connected: tell the client to send its body (curl otherwise waits a second).
        request.response().writeContinue();
      }
      answered = outbound.send(request);
    } else {
      request.resume();
      answered = outbound.send();
    }
    answered.onSuccess(inbound -> relay(request, outbound, inbound)).onFailure(failure -> {
      HttpServerResponse response = request.response();
      if (response.headWritten()) {
        response.reset();
        return;
      }
      LOG.warn("{} {} via {}: {}", request.method(), request.path(), outbound.connection().remoteAddress(),
          failure.toString());
      Reply.error(failure instanceof TimeoutException
          ? new ApiError(504, "gateway_timeout", "The service did not answer in time.")
          : new ApiError(502, "bad_gateway", "The service failed while answering.")).writeTo(response);
    });
  }

  private void relay(HttpServerRequest request, HttpClientRequest outbound, HttpClientResponse inbound) {
    HttpServerResponse response = request.response();
    response.setStatusCode(inbound.statusCode());
    String reason = inbound.statusMessage();
    if (reason != null && !reason.isBlank()) {
      response.setStatusMessage(reason);
    }
    Set<String> named = connectionTokens(inbound.headers());
    inbound.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(lower) && !named.contains(lower)) {
        response.headers().add(name, value);
      }
    });
    if (traced) {
      // The service's answer names the same trace: keep one header, the gateway's.
      String traceId = CurrentSpan.traceId();
      if (traceId != null) {
        response.headers().set(Tracing.TRACE_ID_HEADER, traceId);
      }
    }
    if (!request.isEnded()) {
      // The service answered before reading the whole body (a 413, say): the rest cannot be reused as a next request.
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (!response.headers().contains(HttpHeaders.CONTENT_LENGTH) && mayHaveBody(request, inbound.statusCode())) {
      response.setChunked(true);
    }
    // The services answer small JSON bodies: read the whole answer, then write it if the client is still there. A
    // pipe would write each chunk as it arrives, and throws on a chunk that arrives after the client has gone (a load
    // generator that stops, a client that gives up): an ERROR with a stack trace for something that is normal.
    inbound.body().onComplete(body -> {
      if (response.closed() || response.ended()) {
        return;
      }
      if (body.succeeded()) {
        response.end(body.result());
      } else {
        outbound.reset();
        response.reset();
      }
    });
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    String encoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
    return (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked"))
        || (length != null && !length.trim().equals("0"));
  }

  private static boolean mayHaveBody(HttpServerRequest request, int status) {
    return request.method() != HttpMethod.HEAD && status != 204 && status != 304 && status >= 200;
  }

  /** Header names listed in a {@code Connection} header, which are hop-by-hop too. */
  private static Set<String> connectionTokens(MultiMap headers) {
    String connection = headers.get(HttpHeaders.CONNECTION);
    if (connection == null) {
      return Set.of();
    }
    Set<String> tokens = new HashSet<>();
    for (String token : connection.split(",")) {
      tokens.add(token.trim().toLowerCase(Locale.ROOT));
    }
    return tokens;
  }

  private static void unavailable(HttpServerRequest request, String api, Throwable failure) {
    String message = failure instanceof NoInstanceException
        ? "No live instance serves " + api + "."
        : "No instance of " + api + " could be reached.";
    Reply.error(ApiError.unavailable("service_unavailable", message, 1)).writeTo(request.response());
  }

  /** Discovery holds no live endpoint for the API. */
  private static final class NoInstanceException extends RuntimeException {
    NoInstanceException() {
      super("no live instance", null, false, false);
    }
  }
}
