package com.reactiveshop.product;

import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.ConditionalGet;
import com.reactiveshop.common.http.JsonRequests;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/** REST for {@code /api/products}. GET of one product is answered from the cache when it can be, with an ETag. */
final class ProductRoutes {

  private final ProductStore store;

  ProductRoutes(ProductStore store) {
    this.store = store;
  }

  void mount(ApiRouter router) {
    router.post(ProductVerticle.API, this::create);
    router.get(ProductVerticle.API, ctx -> store.list(Page.of(ctx)).map(Reply::ok));
    ConditionalGet.mount(router, ProductVerticle.API + "/:id",
        new ConditionalGet.Documents(ProductIds::canonical, store::cached, store::find, ProductIds::notFound));
    router.put(ProductVerticle.API + "/:id", this::update);
    router.delete(ProductVerticle.API + "/:id", ctx -> store.delete(id(ctx)).map(deleted -> {
      if (!deleted) {
        throw ProductIds.notFound();
      }
      return Reply.noContent();
    }));
  }

  private Future<Reply> create(RoutingContext ctx) {
    Product product = Product.fromRequest(JsonRequests.body(ctx));
    return store.create(product).map(created -> ConditionalGet.reply(201, created,
        Map.of("Location", ProductVerticle.API + "/" + created.toJson().getString("id"))));
  }

  /** The id is checked before the body, so an unknown id is 404 whatever the body: as for users. */
  private Future<Reply> update(RoutingContext ctx) {
    String id = id(ctx);
    Product product = Product.fromRequest(JsonRequests.body(ctx));
    return store.update(id, product).map(updated -> ConditionalGet.found(updated, ProductIds::notFound));
  }

  private static String id(RoutingContext ctx) {
    return ProductIds.require(ctx.pathParam("id"));
  }
}
