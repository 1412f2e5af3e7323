package com.reactiveshop.user;

import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.ConditionalGet;
import com.reactiveshop.common.http.JsonRequests;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/** REST for {@code /api/users}. GET of one user is answered from the cache when it can be, with an ETag. */
final class UserRoutes {

  private final UserStore store;

  UserRoutes(UserStore store) {
    this.store = store;
  }

  void mount(ApiRouter router) {
    router.post(UserVerticle.API, this::create);
    router.get(UserVerticle.API, ctx -> store.list(Page.of(ctx)).map(Reply::ok));
    ConditionalGet.mount(router, UserVerticle.API + "/:id",
        new ConditionalGet.Documents(UserIds::canonical, store::cached, store::find, UserIds::notFound));
    router.put(UserVerticle.API + "/:id", this::update);
    router.delete(UserVerticle.API + "/:id", ctx -> store.delete(id(ctx)).map(deleted -> {
      if (!deleted) {
        throw UserIds.notFound();
      }
      return Reply.noContent();
    }));
  }

  private Future<Reply> create(RoutingContext ctx) {
    User user = User.fromRequest(JsonRequests.body(ctx));
    return store.create(user).map(created -> ConditionalGet.reply(201, created,
        Map.of("Location", UserVerticle.API + "/" + created.toJson().getString("id"))));
  }

  private Future<Reply> update(RoutingContext ctx) {
    String id = id(ctx);
    User user = User.fromRequest(JsonRequests.body(ctx));
    return store.update(id, user).map(updated -> ConditionalGet.found(updated, UserIds::notFound));
  }

  private static String id(RoutingContext ctx) {
    return UserIds.require(ctx.pathParam("id"));
  }
}
