package com.reactiveshop.embedded;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A filter with an {@code _id} equality and more conditions is answered through the {@code _id} index (one document
 * looked at instead of the collection) and still means exactly what it says.
 */
class IdNarrowedQueriesTest {

  @TempDir
  Path dir;

  @Test
  void conditionsNextToAnIdEqualityStillDecide() {
    try (EmbeddedMongo server = EmbeddedMongo.start(dir.resolve("mongo.mv"), 0);
         MongoClient client = MongoClients.create(DurableWritesTest.settings(server.port()))) {
      MongoCollection<Document> products = client.getDatabase("shop").getCollection("products");
      Await.one(products.insertMany(List.of(new Document("_id", "a").append("stock", 5L),
          new Document("_id", "b").append("stock", 1L).append("holds", new Document("h1", 1L)))));

      assertEquals(List.of("a"), ids(products, Filters.and(Filters.eq("_id", "a"), Filters.gte("stock", 3L))));
      assertEquals(List.of(), ids(products, Filters.and(Filters.eq("_id", "b"), Filters.gte("stock", 3L))));
      assertEquals(List.of(), ids(products, Filters.and(Filters.eq("_id", "zz"), Filters.gte("stock", 0L))));
      assertEquals(List.of("b"), ids(products, Filters.and(Filters.eq("_id", "b"), Filters.exists("holds.h1"))));
      assertEquals(List.of("a"), ids(products, Filters.and(Filters.eq("_id", "a"),
          Filters.or(Filters.eq("stock", 1L), Filters.eq("stock", 5L)))));

      // A conditional decrement lands only where its condition holds.
      assertEquals(1L, Await.one(products.updateOne(Filters.and(Filters.eq("_id", "a"), Filters.gte("stock", 5L)),
          Updates.inc("stock", -5L))).getModifiedCount());
      assertEquals(0L, Await.one(products.updateOne(Filters.and(Filters.eq("_id", "a"), Filters.gte("stock", 1L)),
          Updates.inc("stock", -1L))).getModifiedCount());
      assertEquals(0L, Await.one(products.find(Filters.eq("_id", "a")).first()).getLong("stock"));
    }
  }

  @Test
  void onlyAPlainEqualityOnTheSingleFieldNarrows() {
    MVStore store = MVStore.open(null);
    try {
      MapUniqueIndex id = new MapUniqueIndex(CompactMaps.openUniqueIndex(store, "c._id_"), "_id_",
          List.of(new IndexKey("_id", true)), false);
      assertTrue(id.canHandle(query("_id", "a", "stock", new de.bwaldvogel.mongo.bson.Document("$gte", 3L))));
      assertTrue(id.canHandle(query("_id", "a")));
      assertFalse(id.canHandle(query("_id", new de.bwaldvogel.mongo.bson.Document("$gt", "a"), "stock", 1L)));
      assertFalse(id.canHandle(query("_id", List.of("a"), "stock", 1L)));
      assertFalse(id.canHandle(query("_id", new BsonRegularExpression("a.*"), "stock", 1L)));
      assertFalse(id.canHandle(query("stock", 1L)));
    } finally {
      store.close();
    }
  }

  private static de.bwaldvogel.mongo.bson.Document query(Object... keysAndValues) {
    de.bwaldvogel.mongo.bson.Document query = new de.bwaldvogel.mongo.bson.Document();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      query.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return query;
  }

  private static List<String> ids(MongoCollection<Document> collection, Bson filter) {
    return Await.all(collection.find(filter)).stream().map(d -> d.getString("_id")).sorted().toList();
  }
}
