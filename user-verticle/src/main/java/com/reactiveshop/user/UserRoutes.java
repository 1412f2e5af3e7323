package com.reactiveshop.user;

import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.JsonRequests;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/** REST for {@code /api/users}. */
final class UserRoutes {

  private final UserStore store;

  UserRoutes(UserStore store) {
    this.store = store;
  }

  void mount(ApiRouter router) {
    router.post(UserVerticle.API, this::create);
    router.get(UserVerticle.API, ctx -> store.list(Page.of(ctx)).map(Reply::ok));
    router.get(UserVerticle.API + "/:id", ctx -> store.find(id(ctx)).map(UserRoutes::found));
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
    return store.create(user).map(created ->
        Reply.created(created, UserVerticle.API + "/" + created.getString("id")));
  }

  private Future<Reply> update(RoutingContext ctx) {
    String id = id(ctx);
    User user = User.fromRequest(JsonRequests.body(ctx));
    return store.update(id, user).map(UserRoutes::found);
  }

  private static String id(RoutingContext ctx) {
    return UserIds.require(ctx.pathParam("id"));
  }

  private static Reply found(Optional<JsonObject> user) {
    return Reply.ok(user.orElseThrow(UserIds::notFound));
  }
}
