package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.FieldError;
import com.reactiveshop.common.http.JsonRequests;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.http.Reply;
import com.reactiveshop.common.ids.ObjectIds;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

/** REST for {@code /api/orders}. */
final class OrderRoutes {

  /** The service's API path: its routes, Location headers, discovery metadata and OpenAPI document use it. */
  static final String API = "/api/orders";
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final int MAX_KEY_LENGTH = 255;

  private final OrderStore store;
  private final OrderPlacement placement;
  private final IdempotentOrders idempotentOrders;
  private final OrderCancellation cancellation;

  OrderRoutes(OrderStore store, OrderPlacement placement, IdempotentOrders idempotentOrders,
              OrderCancellation cancellation) {
    this.store = store;
    this.placement = placement;
    this.idempotentOrders = idempotentOrders;
    this.cancellation = cancellation;
  }

  void mount(ApiRouter router) {
    router.post(API, this::create);
    router.get(API, this::list);
    router.get(API + "/:id", ctx -> store.find(OrderIds.require(ctx.pathParam("id")))
        .map(order -> Reply.ok(order.orElseThrow(OrderIds::notFound).toJson())));
    router.post(API + "/:id/cancel", ctx -> cancellation.cancel(OrderIds.require(ctx.pathParam("id")))
        .map(order -> Reply.ok(order.orElseThrow(OrderIds::notFound))));
  }

  private Future<Reply> create(RoutingContext ctx) {
    JsonObject body = JsonRequests.body(ctx);
    String key = idempotencyKey(ctx);
    OrderRequest request = OrderRequest.fromBody(body);
    return key == null
        ? placement.place(request).map(OrderRoutes::created)
        : idempotentOrders.place(key, body, request, OrderRoutes::created);
  }

  /** 201 with the order's JSON as it was encoded once ({@link PlacedOrder}) and its Location. */
  static Reply created(PlacedOrder placed) {
    return Reply.encoded(201, placed.json(), Map.of("Location", API + "/" + placed.order().id()));
  }

  private Future<Reply> list(RoutingContext ctx) {
    Page page = Page.of(ctx);
    List<String> userIds = ctx.queryParam("userId");
    if (userIds.isEmpty()) {
      return store.list(null, page).map(Reply::ok);
    }
    String userId = userIds.size() == 1 ? ObjectIds.canonical(userIds.get(0)) : null;
    if (userId == null) {
      throw invalid("userId", "must be one 24-character hexadecimal id");
    }
    return store.list(userId, page).map(Reply::ok);
  }

  /** The optional key: 1..255 characters, no control characters, sent once; anything else is a 400. */
  private static String idempotencyKey(RoutingContext ctx) {
    List<String> values = ctx.request().headers().getAll(IDEMPOTENCY_KEY);
    if (values.isEmpty()) {
      return null;
    }
    String key = values.get(0);
    int length = key.codePointCount(0, key.length());
    if (values.size() > 1 || length < 1 || length > MAX_KEY_LENGTH || key.chars().anyMatch(Character::isISOControl)) {
      throw invalid(IDEMPOTENCY_KEY, "must be sent once, with 1 to " + MAX_KEY_LENGTH + " characters");
    }
    return key;
  }

  private static ApiError invalid(String field, String message) {
    return ApiError.validation(new JsonArray().add(new FieldError(field, message).toJson()));
  }
}
