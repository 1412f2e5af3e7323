package com.reactiveshop.common.mongo;

import com.reactiveshop.common.async.BatchMetrics;
import com.reactiveshop.common.async.GroupCommit;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads documents by {@code _id}, group-committed: every lookup that arrives while one {@code find} is in flight
 * goes into the next one, as {@code {_id: {$in: [...]}}} (an index lookup, on the embedded MongoDB-wire server
 * too). A lookup is never answered from a read that started before it was asked, so a read after an acknowledged
 * write sees the write. One per verticle instance: it must be used from that instance's context.
 */
public final class ByIdLookups {

  private static final int MAX_BATCH = 500;

  private final MongoClient mongo;
  private final String collection;
  private final GroupCommit<String, Optional<JsonObject>> reads;

  public ByIdLookups(MongoClient mongo, String collection) {
    this.mongo = mongo;
    this.collection = collection;
    this.reads = new GroupCommit<>(this::readBatch, MAX_BATCH,
        BatchMetrics.of("mongodb", collection + "_read"));
  }

  /** The stored document with this {@code _id}, if there is one. */
  public Future<Optional<JsonObject>> find(String id) {
    return reads.submit(id);
  }

  private Future<List<Optional<JsonObject>>> readBatch(List<String> ids) {
    if (ids.size() == 1) {
      return mongo.findOne(collection, new JsonObject().put("_id", ids.get(0)), null)
          .map(found -> List.of(Optional.ofNullable(found)));
    }
    JsonObject filter = new JsonObject().put("_id", new JsonObject()
        .put("$in", new JsonArray(List.copyOf(new LinkedHashSet<>(ids)))));
    return mongo.find(collection, filter).map(found -> {
      Map<String, JsonObject> byId = new HashMap<>();
      found.forEach(document -> byId.put(document.getString("_id"), document));
      return ids.stream().map(id -> Optional.ofNullable(byId.get(id))).toList();
    });
  }
}
