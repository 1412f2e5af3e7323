package com.reactiveshop.common.http;

import com.reactiveshop.common.cache.CachedDocument;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET} (and {@code HEAD}) of one document by id: 200 with its JSON and {@code ETag}, or 304 Not Modified (the
 * {@code ETag}, no body) when {@code If-None-Match} names it. A document found in the cache is answered right here,
 * from its encoded bytes, without a future or any JSON work; a miss goes through {@code find}.
 */
public final class ConditionalGet {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private ConditionalGet() {
  }

  /** How one kind of document is looked up. */
  public interface Documents {

    /** The canonical id for a path parameter, or null when it cannot name a document (answered 404). */
    String canonicalId(String raw);

    /** The cached document, or null. */
    CachedDocument hit(String id);

    /** The document from wherever it is (empty when there is none). */
    Future<Optional<CachedDocument>> find(String id);

    /** The 404 of this kind of document. */
    ApiError notFound();
  }

  /** Mounts GET and HEAD of {@code path} (which has an {@code :id} parameter). */
  public static void mount(ApiRouter router, String path, Documents documents) {
    router.raw(HttpMethod.GET, path, ctx -> handle(ctx, documents));
    router.raw(HttpMethod.HEAD, path, ctx -> handle(ctx, documents));
  }

  private static void handle(RoutingContext ctx, Documents documents) {
    String id = documents.canonicalId(ctx.pathParam("id"));
    if (id == null) {
      ctx.fail(documents.notFound());
      return;
    }
    CachedDocument hit = documents.hit(id);
    if (hit != null) {
      answer(ctx, hit);
      return;
    }
    Future<Optional<CachedDocument>> found;
    try {
      found = documents.find(id);
    } catch (RuntimeException e) {
      found = Future.failedFuture(e);
    }
    found.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        ctx.fail(documents.notFound());
      } else {
        answer(ctx, ar.result().get());
      }
    });
  }

  /** 304 when the request's {@code If-None-Match} names {@code document}, else 200 with it. */
  public static void answer(RoutingContext ctx, CachedDocument document) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.ETAG, document.etag());
    MultiMap request = ctx.request().headers();
    if (request.contains(HttpHeaders.IF_NONE_MATCH)
        && EntityTags.noneMatchFails(request.getAll(HttpHeaders.IF_NONE_MATCH), document.tag())) {
      response.setStatusCode(304).end();
      return;
    }
    headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    response.end(document.json());
  }

  /** A reply carrying {@code document} as it is, with its {@code ETag} (for POST and PUT answers). */
  public static Reply reply(int status, CachedDocument document, Map<String, String> headers) {
    Map<String, String> all = new HashMap<>(headers);
    all.put("ETag", document.etag());
    return Reply.encoded(status, document.json(), all);
  }

  /** {@code Optional} of a document to its 200 reply, or the given 404. */
  public static Reply found(Optional<CachedDocument> document, Supplier<ApiError> notFound) {
    return reply(200, document.orElseThrow(notFound), Map.of());
  }
}
