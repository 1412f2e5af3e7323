package com.reactiveshop.common.mongo;

import com.mongodb.MongoException;
import com.reactiveshop.common.health.HealthCheck;
import com.reactiveshop.common.http.Page;
import com.reactiveshop.common.service.ServiceDeclaration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.List;
import java.util.function.Function;

/** The MongoDB wiring the user and product services share: one pooled client per process and database. */
public final class MongoStores {

  /**
   * How long a client (HTTP or NATS) of a MongoDB-backed service waits at most: a server that stops answering
   * without closing the connection (paused) is a 503 after this, not after the 10 s socket timeout, which stays
   * that long for the background scans (the sweeper's and the janitor's). As long as the order service's limit for
   * PostgreSQL.
   */
  public static final long CLIENT_WAIT_MS = 3_000;

  private MongoStores() {
  }

  /**
   * The process-wide client for {@code database}: verticle instances of one service share it, and it closes when the
   * last of them closes it. Each instance's {@code service} closes its reference when it stops.
   */
  public static MongoClient sharedClient(ServiceDeclaration service, Vertx vertx, String uri, String database) {
    return service.closing(sharedClient(vertx, uri, database), client -> close(vertx, client));
  }

  private static MongoClient sharedClient(Vertx vertx, String uri, String database) {
    JsonObject config = new JsonObject()
        .put("connection_string", uri)
        .put("db_name", database)
        .put("maxPoolSize", 50)
        .put("serverSelectionTimeoutMS", 2_000)
        .put("connectTimeoutMS", 2_000)
        .put("socketTimeoutMS", 10_000)
        .put("waitQueueTimeoutMS", 2_000);
    return MongoClient.createShared(vertx, config, "mongo:" + database + ":" + uri);
  }

  /**
   * One page of a whole collection in {@code _id} order (ObjectIds grow with time, so oldest first and stable while
   * paging), with the collection's total; {@code toApi} turns a stored document into its API JSON.
   */
  public static Future<JsonObject> page(MongoClient client, String collection, Page page,
                                        Function<JsonObject, JsonObject> toApi) {
    FindOptions options = new FindOptions().setSort(new JsonObject().put("_id", 1))
        .setSkip(page.offset()).setLimit(page.limit());
    Future<List<JsonObject>> items = client.findWithOptions(collection, new JsonObject(), options);
    Future<Long> total = client.count(collection, new JsonObject());
    return Future.all(items, total).map(all ->
        page.answer(items.result().stream().map(toApi).toList(), total.result()));
  }

  /** Ready when the server answers a {@code ping} (the embedded server has no {@code hello}). */
  public static HealthCheck healthCheck(MongoClient client) {
    return new HealthCheck("mongodb", () -> client.runCommand("ping", new JsonObject().put("ping", 1))
        .map(reply -> (JsonObject) null));
  }

  /** True when a write failed on a unique index. */
  public static boolean isDuplicateKey(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof MongoException mongo && mongo.getCode() == 11000) {
        return true;
      }
      if (String.valueOf(t.getMessage()).contains("E11000")) {
        return true;
      }
    }
    return false;
  }

  /** Closing the client waits on the driver, so it is done off the event loop. */
  private static Future<Void> close(Vertx vertx, MongoClient client) {
    return vertx.executeBlocking(() -> {
      client.close();
      return null;
    }, false);
  }
}
