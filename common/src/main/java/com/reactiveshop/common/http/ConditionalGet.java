package com.reactiveshop.common.http;

import com.reactiveshop.common.async.AnswerLimit;
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
import java.util.function.Function;
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
  /**
   * Where a kind of document comes from.
   *
   * @param canonicalId the canonical id for a path parameter, or null when it cannot name a document (answered 404)
   * @param hit         the cached document, or null
   * @param find        the document from wherever it is (empty when there is none)
   * @param notFound    the 404 of this kind of document
   */
  public record Documents(Function<String, String> canonicalId, Function<String, CachedDocument> hit,
                          Function<String, Future<Optional<CachedDocument>>> find, Supplier<ApiError> notFound) {
  }

  /** Mounts GET and HEAD of {@code path} (which has an {@code :id} parameter). */
  public static void mount(ApiRouter router, String path, Documents documents) {
    long limitMs = router.answerWithinMs();
    router.raw(HttpMethod.GET, path, ctx -> handle(ctx, documents, limitMs));
    router.raw(HttpMethod.HEAD, path, ctx -> handle(ctx, documents, limitMs));
  }

  /** {@code limitMs}: the router's answer limit for a read that misses the cache (0: none). */
  private static void handle(RoutingContext ctx, Documents documents, long limitMs) {
    String id = documents.canonicalId().apply(ctx.pathParam("id"));
    if (id == null) {
      ctx.fail(documents.notFound().get());
      return;
    }
    CachedDocument hit = documents.hit().apply(id);
    if (hit != null) {
      answer(ctx, hit);
      return;
    }
    Future<Optional<CachedDocument>> found;
    try {
      found = documents.find().apply(id);
    } catch (RuntimeException e) {
      found = Future.failedFuture(e);
    }
    AnswerLimit.within(found, limitMs).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        ctx.fail(documents.notFound().get());
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
