package com.reactiveshop.product;

import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.JsonRequests;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/** REST for {@code /api/products}. */
final class ProductRoutes {

  private final ProductStore store;

  ProductRoutes(ProductStore store) {
    this.store = store;
  }

  void mount(ApiRouter router) {
    router.post(ProductVerticle.API, this::create);
    router.get(ProductVerticle.API, ctx -> store.list(Page.of(ctx)).map(Reply::ok));
    router.get(ProductVerticle.API + "/:id", ctx -> store.find(id(ctx)).map(ProductRoutes::found));
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
    return store.create(product).map(created ->
        Reply.created(created, ProductVerticle.API + "/" + created.getString("id")));
  }

  /** The id is checked before the body, so an unknown id is 404 whatever the body: as for users. */
  private Future<Reply> update(RoutingContext ctx) {
    String id = id(ctx);
    Product product = Product.fromRequest(JsonRequests.body(ctx));
    return store.update(id, product).map(ProductRoutes::found);
  }

  private static String id(RoutingContext ctx) {
    return ProductIds.require(ctx.pathParam("id"));
  }

  private static Reply found(Optional<JsonObject> product) {
    return Reply.ok(product.orElseThrow(ProductIds::notFound));
  }
}
