package com.reactiveshop.common.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
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
 */
public final class ApiRouter {

  public static final int BODY_LIMIT_BYTES = 64 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

  private final Router router;
  private final Map<String, Set<HttpMethod>> methodsByPath = new LinkedHashMap<>();

  private ApiRouter(Router router) {
    this.router = router;
  }

  public static ApiRouter create(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));
    return new ApiRouter(router);
  }

  public ApiRouter get(String path, Function<RoutingContext, Future<Reply>> handler) {
    return add(HttpMethod.GET, path, handler);
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
    router.route(method, path).handler(handler);
    return this;
  }

  public ApiRouter add(HttpMethod method, String path, Function<RoutingContext, Future<Reply>> handler) {
    return raw(method, path, ctx -> {
      Future<Reply> reply;
      try {
        reply = handler.apply(ctx);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(ar -> {
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
    return router;
  }

  private static void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ApiError error;
    if (failure instanceof ApiError apiError) {
      error = apiError;
    } else if (ctx.statusCode() == 413) {
      error = new ApiError(413, "payload_too_large", "The body is larger than " + BODY_LIMIT_BYTES + " bytes.");
    } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error = new ApiError(ctx.statusCode(), "bad_request", "The request could not be read.");
    } else {
      LOG.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
      error = new ApiError(500, "internal_error", "Something went wrong on our side.");
    }
    if (error.status() == 413) {
      // The rest of an oversize body is not read: close so the client does not keep sending it.
      ctx.response().putHeader("Connection", "close");
    }
    Reply.error(error).writeTo(ctx.response());
  }
}
