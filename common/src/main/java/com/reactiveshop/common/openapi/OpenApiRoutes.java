package com.reactiveshop.common.openapi;

import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** {@code GET /openapi.json}: the API description a server answers for (see {@link OpenApiDocument}). */
public final class OpenApiRoutes {

  public static final String PATH = "/openapi.json";

  private OpenApiRoutes() {
  }

  /** A service's routes: the paths under {@code api} (such as {@code /api/users}) and the shared ones. */
  public static void mount(ApiRouter router, String api) {
    serve(router, OpenApiDocument.forApi(api));
  }

  /** Every route (the gateway's answer). */
  public static void mountWhole(ApiRouter router) {
    serve(router, OpenApiDocument.served());
  }

  private static void serve(ApiRouter router, JsonObject document) {
    router.get(PATH, ctx -> Future.succeededFuture(Reply.ok(document)));
  }
}
