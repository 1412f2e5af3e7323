package com.reactiveshop.common.http;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.cache.DocumentsById;
import com.reactiveshop.common.ids.ObjectIds;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * REST for a collection of documents addressed by ObjectId (users, products), the same for each:
 * <ul>
 *   <li>{@code POST api}: 201 with the document, its {@code Location} and {@code ETag};</li>
 *   <li>{@code GET api}: one page ({@link Page});</li>
 *   <li>{@code GET} and {@code HEAD api/{id}}: from the cache when it can be, with an {@code ETag} and 304 for a
 *   matching {@code If-None-Match} ({@link ConditionalGet});</li>
 *   <li>{@code PUT api/{id}}: 200 with the document, or 404; the id is checked before the body, so an id that cannot
 *   name a document is 404 whatever the body;</li>
 *   <li>{@code DELETE api/{id}}: 204, or 404.</li>
 * </ul>
 * Ids that are not ObjectIds name nothing: 404 with the collection's own error.
 */
public final class DocumentRoutes {

  /**
   * What the routes need of a collection's store ({@code T}: a validated request body): its reads and delete by id
   * ({@link #documents()}, which the defaults use), and its writes.
   */
  public interface Store<T> extends DocumentsById {
    DocumentsById documents();

    Future<CachedDocument> create(T document);

    Future<Optional<CachedDocument>> update(String id, T document);

    @Override
    default CachedDocument cached(String id) {
      return documents().cached(id);
    }

    @Override
    default Future<Optional<CachedDocument>> find(String id) {
      return documents().find(id);
    }

    @Override
    default Future<JsonObject> list(Page page) {
      return documents().list(page);
    }

    @Override
    default Future<Boolean> delete(String id) {
      return documents().delete(id);
    }
  }

  private DocumentRoutes() {
  }

  /**
   * Mounts the routes under {@code api}: {@code fromRequest} validates a body (throwing the contract's 400), and
   * {@code notFound} is the collection's 404.
   */
  public static <T> void mount(ApiRouter router, String api, Store<T> store, Function<JsonObject, T> fromRequest,
                               Supplier<ApiError> notFound) {
    String byId = api + "/:id";
    router.post(api, ctx -> store.create(fromRequest.apply(JsonRequests.body(ctx))).map(created ->
        ConditionalGet.reply(201, created, Map.of("Location", api + "/" + created.toJson().getString("id")))));
    router.get(api, ctx -> store.list(Page.of(ctx)).map(Reply::ok));
    ConditionalGet.mount(router, byId,
        new ConditionalGet.Documents(ObjectIds::canonical, store::cached, store::find, notFound));
    router.put(byId, ctx -> {
      String id = id(ctx, notFound);
      T document = fromRequest.apply(JsonRequests.body(ctx));
      return store.update(id, document).map(updated -> ConditionalGet.found(updated, notFound));
    });
    router.delete(byId, ctx -> store.delete(id(ctx, notFound)).map(deleted -> {
      if (!deleted) {
        throw notFound.get();
      }
      return Reply.noContent();
    }));
  }

  private static String id(RoutingContext ctx, Supplier<ApiError> notFound) {
    return ObjectIds.require(ctx.pathParam("id"), notFound);
  }
}
