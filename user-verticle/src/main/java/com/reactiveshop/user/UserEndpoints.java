package com.reactiveshop.user;

import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.http.JsonFields;
import com.reactiveshop.nats.NatsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The NATS endpoints of {@code user-service}: {@code users.get}, answered with the cached bytes when it can be. */
final class UserEndpoints {

  private final UserStore store;

  UserEndpoints(UserStore store) {
    this.store = store;
  }

  List<NatsEndpoint> endpoints() {
    return List.of(NatsEndpoint.encoded("get", "users.get", this::get));
  }

  /** {@code {"id"}} → the user; a string id of the wrong shape is simply not found, as over HTTP. */
  private Future<Buffer> get(JsonObject request) {
    String id = UserIds.require(JsonFields.idOf(request));
    CachedDocument hit = store.cached(id);
    if (hit != null) {
      return Future.succeededFuture(hit.json());
    }
    return store.find(id).map(user -> user.orElseThrow(UserIds::notFound).json());
  }
}
