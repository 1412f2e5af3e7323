package com.reactiveshop.embedded;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** serverStatus.opcounters and opcountersByCommand, read through the real driver, on both backends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpCountersTest {

  private static final Set<String> CRUD = Set.of("insert", "find", "update", "delete", "getMore");

  @TempDir
  Path dir;

  private EmbeddedMongo start(String backend) {
    return backend.equals("memory") ? EmbeddedMongo.inMemory() : EmbeddedMongo.start(dir.resolve("mongo.mv"), 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "h2"})
  void countsEachWireCommandByName(String backend) {
    try (EmbeddedMongo mongo = start(backend);
         MongoClient client = MongoClients.create(DurableWritesTest.settings(mongo.port()))) {
      MongoCollection<Document> things = client.getDatabase("counted").getCollection("things");
      Await.one(things.insertOne(new Document("_id", 0))); // creates the collection before the first reading

      Document before = serverStatus(client);
      for (int i = 1; i <= 3; i++) {
        Await.one(things.insertOne(new Document("_id", i).append("n", 0)));
      }
      Await.one(things.insertMany(List.of(new Document("_id", 4), new Document("_id", 5)))); // one command
      assertEquals(6, Await.all(things.find().batchSize(2)).size()); // find + getMore + getMore
      Await.one(things.find(Filters.eq("_id", 1)).first()); // find
      for (int i = 1; i <= 4; i++) {
        Await.one(things.updateOne(Filters.eq("_id", 1), Updates.inc("n", 1)));
      }
      Await.one(things.deleteOne(Filters.eq("_id", 4)));
      Await.one(things.deleteOne(Filters.eq("_id", 5)));
      Await.one(things.findOneAndUpdate(Filters.eq("_id", 2), Updates.inc("n", 1))); // findAndModify
      assertEquals(4L, Await.one(things.countDocuments())); // aggregate
      Document after = serverStatus(client);

      Map<String, Long> ops = delta(before, after, "opcounters");
      assertEquals(4, ops.get("insert"), ops::toString);
      assertEquals(2, ops.get("query"), ops::toString);
      assertEquals(4, ops.get("update"), ops::toString);
      assertEquals(2, ops.get("delete"), ops::toString);
      assertEquals(2, ops.get("getmore"), ops::toString);

      Map<String, Long> byCommand = delta(before, after, "opcountersByCommand");
      assertEquals(4, byCommand.get("insert"), byCommand::toString);
      assertEquals(2, byCommand.get("find"), byCommand::toString);
      assertEquals(2, byCommand.get("getMore"), byCommand::toString);
      assertEquals(4, byCommand.get("update"), byCommand::toString);
      assertEquals(2, byCommand.get("delete"), byCommand::toString);
      assertEquals(1, byCommand.get("findAndModify"), byCommand::toString);
      assertEquals(1, byCommand.get("aggregate"), byCommand::toString);
      assertEquals(1, byCommand.get("serverStatus"), byCommand::toString); // the second reading counts itself

      // "command" is everything else: findAndModify, aggregate, serverStatus and whatever heartbeats ran meanwhile
      long others = byCommand.entrySet().stream()
          .filter(e -> !CRUD.contains(e.getKey()))
          .mapToLong(Map.Entry::getValue)
          .sum();
      assertTrue(others >= 3, byCommand::toString);
      assertEquals(others, ops.get("command"), () -> ops + " vs " + byCommand);
    }
  }

  @Test
  void countsSurviveStopAndRestart() {
    try (EmbeddedMongo mongo = EmbeddedMongo.inMemory()) {
      Document before;
      try (MongoClient client = MongoClients.create(DurableWritesTest.settings(mongo.port()))) {
        Await.one(client.getDatabase("counted").getCollection("things").insertOne(new Document("_id", 1)));
        before = serverStatus(client);
      }
      mongo.stop();
      mongo.restart();
      try (MongoClient client = MongoClients.create(DurableWritesTest.settings(mongo.port()))) {
        Document after = serverStatus(client);
        Map<String, Long> byCommand = delta(before, after, "opcountersByCommand");
        assertEquals(1, opcounter(before, "insert"));
        assertEquals(0, byCommand.get("insert"), byCommand::toString);
        assertEquals(1, byCommand.get("serverStatus"), byCommand::toString);
      }
    }
  }

  private static Document serverStatus(MongoClient client) {
    return Await.one(client.getDatabase("admin").runCommand(new Document("serverStatus", 1)));
  }

  private static long opcounter(Document status, String name) {
    return status.get("opcounters", Document.class).getLong(name);
  }

  /** after - before for every name in after (a name missing before counts as 0); every value must be a Long. */
  private static Map<String, Long> delta(Document before, Document after, String field) {
    Document b = before.get(field, Document.class);
    Document a = after.get(field, Document.class);
    Map<String, Long> delta = new java.util.TreeMap<>();
    a.forEach((name, value) -> {
      assertInstanceOf(Long.class, value, field + "." + name);
      delta.put(name, (Long) value - (b.containsKey(name) ? b.getLong(name) : 0L));
    });
    return delta;
  }
}
