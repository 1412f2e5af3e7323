package com.reactiveshop.common.http;

import com.reactiveshop.common.async.AnswerLimit;
import com.reactiveshop.common.logging.AccessLog;
import com.reactiveshop.common.tracing.CurrentSpan;
import com.reactiveshop.common.tracing.Tracing;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A Vert.x {@link Router} that speaks the contract's error model: handlers return a {@link Reply} future and throw or
 * fail with {@link ApiError}; bodies are capped at 64 KiB (413); an unknown path is 404 {@code not_found}; a known
 * path with another method is 405 {@code method_not_allowed} with an {@code Allow} header; anything unexpected is a
 * logged 500 that tells the client nothing internal.
 * <p>
 * On a traced Vert.x ({@link Tracing}) every answer carries the header {@link Tracing#TRACE_ID_HEADER}, error bodies
 * carry {@code error.traceId} ({@link Reply}) and the server span is named after the route; with {@link AccessLog} on,
 * each request is logged once answered. Neither adds anything to a request while it is off.
 */
public final class ApiRouter {

  public static final int BODY_LIMIT_BYTES = 64 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

  /** Where a route's handler leaves its template for the access line. */
  private static final String ROUTE_KEY = "reactive-shop.route";

  private final Router router;
  private final Map<String, Set<HttpMethod>> methodsByPath = new LinkedHashMap<>();
  private final boolean traced;
  private final boolean accessLog;
  /** 0: no limit. */
  private long answerWithinMs;

  private ApiRouter(Router router, boolean traced, boolean accessLog) {
    this.router = router;
    this.traced = traced;
    this.accessLog = accessLog;
  }

  public static ApiRouter create(Vertx vertx) {
    Router router = Router.router(vertx);
    boolean traced = Tracing.of(vertx) != null;
    boolean accessLog = AccessLog.enabled();
    if (traced || accessLog) {
      router.route().handler(ctx -> observe(ctx, traced, accessLog));
    }
    router.route().handler(ApiRouter::requireDecodableUri);
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));
    return new ApiRouter(router, traced, accessLog);
  }

  /** First on every request of a traced or access-logged router: the trace id header, the access line. */
  private static void observe(RoutingContext ctx, boolean traced, boolean accessLog) {
    SpanContext span = traced ? CurrentSpan.ids() : null;
    if (span != null) {
      ctx.response().headers().set(Tracing.TRACE_ID_HEADER, span.getTraceId());
    }
    if (accessLog) {
      long start = System.nanoTime();
      // Answered (or the connection gone): the span's scope may already be closed then, so its ids go explicitly.
      ctx.addEndHandler(ended -> AccessLog.http(ctx.request().method().name(), ctx.request().path(),
          ctx.get(ROUTE_KEY), ctx.response().getStatusCode(), start, span));
    }
    ctx.next();
  }

  /**
   * A path or query string with a broken percent-escape ({@code %zz}) is the client's mistake: answer 400 here, before
   * route matching and parameter parsing would fail on it deep inside the router.
   */
  private static void requireDecodableUri(RoutingContext ctx) {
    try {
      QueryStringDecoder.decodeComponent(ctx.request().path());
      ctx.queryParams();
    } catch (RuntimeException e) {
      Reply.error(ApiError.validation("The path or query string is not correctly percent-encoded."))
          .writeTo(ctx.response());
      return;
    }
    ctx.next();
  }

  /**
   * Routes added from now on answer within {@code ms} (0: no limit): a handler whose future is not done by then is
   * answered 503 {@code dependency_unavailable} with {@code Retry-After}, as a store that does not answer.
   */
  public ApiRouter answeringWithin(long ms) {
    this.answerWithinMs = ms;
    return this;
  }

  /** The limit routes added now get (0: none), for a {@link #raw} handler that waits on a store itself. */
  public long answerWithinMs() {
    return answerWithinMs;
  }

  /** Also answers HEAD (the same status and headers, no body), as HTTP asks of every GET resource. */
  public ApiRouter get(String path, Function<RoutingContext, Future<Reply>> handler) {
    return add(HttpMethod.GET, path, handler).add(HttpMethod.HEAD, path, handler);
  }

  public ApiRouter post(String path, Function<RoutingContext, Future<Reply>> handler) {
    return add(HttpMethod.POST, path, handler);
  }

  public ApiRouter put(String path, Function<RoutingContext, Future<Reply>> handler) {
    return add(HttpMethod.PUT, path, handler);
  }

  public ApiRouter delete(String path, Function<RoutingContext, Future<Reply>> handler) {
    return add(HttpMethod.DELETE, path, handler);
  }

  /** A route whose handler writes the response itself (metrics scraping, proxies). */
  public ApiRouter raw(HttpMethod method, String path, Handler<RoutingContext> handler) {
    methodsByPath.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(method);
    router.route(method, path).handler(traced || accessLog ? routed(method, path, handler) : handler);
    return this;
  }

  /** {@code handler}, first naming the request's span and access line after the route template. */
  private Handler<RoutingContext> routed(HttpMethod method, String path, Handler<RoutingContext> handler) {
    String spanName = method.name() + " " + path;
    return ctx -> {
      if (traced) {
        CurrentSpan.route(spanName, path);
      }
      if (accessLog) {
        ctx.put(ROUTE_KEY, path);
      }
      handler.handle(ctx);
    };
  }

  public ApiRouter add(HttpMethod method, String path, Function<RoutingContext, Future<Reply>> handler) {
    long limitMs = answerWithinMs;
    return raw(method, path, ctx -> {
      Future<Reply> reply;
      try {
        reply = handler.apply(ctx);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      AnswerLimit.within(reply, limitMs).onComplete(ar -> {
        if (ar.succeeded()) {
          ar.result().writeTo(ctx.response());
        } else {
          ctx.fail(ar.cause());
        }
      });
    });
  }

  /** The finished router: 405 and 404 fallbacks and the error handler are added last. */
  public Router build() {
    methodsByPath.forEach((path, methods) -> {
      String allow = methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
      router.route(path).handler(ctx -> Reply.error(new ApiError(405, "method_not_allowed",
          ctx.request().method().name() + " is not allowed here; use " + allow + ".", null, Map.of("Allow", allow)))
          .writeTo(ctx.response()));
    });
    router.route().handler(ctx -> Reply.error(ApiError.notFound("not_found",
        "No route for " + ctx.request().method().name() + " " + ctx.request().path() + ".")).writeTo(ctx.response()));
    router.route().failureHandler(ApiRouter::fail);
    // Failures raised before any route matched (a path that cannot be decoded, say) get the JSON error model too.
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, ApiRouter::fail);
    }
    return router;
  }

  private static void fail(RoutingContext ctx) {
    Reply.error(errorOf(ctx)).writeTo(ctx.response());
  }

  /** The contract's error for a failed request; only the unexpected is logged. */
  public static ApiError errorOf(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError apiError) {
      return apiError;
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    if (status >= 400 && status < 500) {
      ApiError error = clientError(status, ctx);
      if (status == 413) {
        // The rest of an oversize body is not read: close so the client does not keep sending it.
        ctx.response().putHeader("Connection", "close");
      }
      return error;
    }
    if (Unavailability.isUnavailable(failure)) {
      LOG.warn("{} {}: a dependency is not answering: {}", ctx.request().method(), ctx.request().path(),
          String.valueOf(failure));
      return Unavailability.toApiError();
    }
    LOG.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
    return new ApiError(500, "internal_error", "Something went wrong on our side.");
  }

  /** A 4xx raised by Vert.x itself (an undecodable query string or path, an oversize body, no route). */
  private static ApiError clientError(int status, RoutingContext ctx) {
    return switch (status) {
      case 413 -> new ApiError(413, "payload_too_large", "The body is larger than " + BODY_LIMIT_BYTES + " bytes.");
      case 404 -> ApiError.notFound("not_found", "No route for this path.");
      case 405 -> new ApiError(405, "method_not_allowed", ctx.request().method().name() + " is not allowed here.");
      case 415 -> new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
      default -> new ApiError(status, status == 400 ? "validation_failed" : "bad_request",
          "The request could not be read (check the path, query string and body).");
    };
  }
}
