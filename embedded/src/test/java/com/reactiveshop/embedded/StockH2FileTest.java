package com.reactiveshop.embedded;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Data files written by the stock library's H2Backend (users keep ./data from earlier runs) open in EmbeddedMongo
 * with every document found by _id and every unique index still refusing duplicates, once their unique index maps
 * have been moved to the ordered key type; also when that move was interrupted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StockH2FileTest {

  private static final int USERS = 300;
  private static final int ORDERS = 300;

  @TempDir
  Path dir;

  @Test
  void aStockFileStaysReadableAndUnique() {
    Path file = dir.resolve("stock.mv");
    List<ObjectId> orderIds = writeWithTheStockBackend(file);
    Set<String> stockMaps = mapNames(file);
    assertTrue(stockMaps.contains("shop.users._index__id_"), stockMaps::toString);
    assertTrue(stockMaps.contains("shop.users._index_emailKey_1"), stockMaps::toString);
    assertTrue(stockMaps.contains("shop.orders._index__id_"), stockMaps::toString);
    assertTrue(stockMaps.stream().noneMatch(n -> n.endsWith(CompactMaps.SUFFIX)), stockMaps::toString);

    try (EmbeddedMongo mongo = EmbeddedMongo.start(file, 0);
         MongoClient client = MongoClients.create(DurableWritesTest.settings(mongo.port()))) {
      MongoDatabase shop = client.getDatabase("shop");
      assertEverythingIsThere(shop, orderIds, 0);
      assertDuplicatesRefused(shop, orderIds);

      // new documents are accepted, and then found and unique like the old ones
      Await.one(shop.getCollection("users").insertOne(user("user-new", "new@example.com")));
      ObjectId newOrder = new ObjectId();
      Await.one(shop.getCollection("orders").insertOne(new Document("_id", newOrder).append("total", 1)));
      orderIds.add(newOrder);
      assertNotNull(Await.one(shop.getCollection("users").find(Filters.eq("_id", "user-new")).first()));
      assertDuplicateKey(() -> Await.one(shop.getCollection("users").insertOne(user("user-x", "new@example.com"))));
      assertDuplicateKey(() -> Await.one(shop.getCollection("orders").insertOne(new Document("_id", newOrder))));
    }

    // moved: the library's maps are gone, the ordered ones hold every entry
    Set<String> moved = mapNames(file);
    assertFalse(moved.contains("shop.users._index__id_"), moved::toString);
    assertFalse(moved.contains("shop.users._index_emailKey_1"), moved::toString);
    assertFalse(moved.contains("databases.shop.users"), moved::toString);
    assertTrue(moved.contains("databases.shop.users" + CompactMaps.SUFFIX), moved::toString);
    assertTrue(moved.contains("databases.shop.orders" + CompactMaps.SUFFIX), moved::toString);
    assertTrue(moved.contains("shop.users._index__id_" + CompactMaps.SUFFIX), moved::toString);
    assertTrue(moved.contains("shop.users._index_emailKey_1" + CompactMaps.SUFFIX), moved::toString);

    // and the moved file reopens as it was left
    try (EmbeddedMongo mongo = EmbeddedMongo.start(file, 0);
         MongoClient client = MongoClients.create(DurableWritesTest.settings(mongo.port()))) {
      MongoDatabase shop = client.getDatabase("shop");
      assertEverythingIsThere(shop, orderIds, 1);
      assertDuplicatesRefused(shop, orderIds);

      // dropping an index drops its map, and its constraint
      Await.all(shop.getCollection("users").dropIndex("emailKey_1")); // a Publisher<Void>
      Await.one(shop.getCollection("users").insertOne(user("user-y", "user-1@example.com")));
      Await.all(shop.getCollection("orders").drop());

      MongoCollection<Document> other = client.getDatabase("other").getCollection("things");
      Await.one(other.createIndex(Indexes.ascending("code"), new IndexOptions().unique(true)));
      Await.one(other.insertOne(new Document("_id", 1).append("code", "a")));
      assertDuplicateKey(() -> Await.one(other.insertOne(new Document("_id", 2).append("code", "a"))));
      Await.all(client.getDatabase("other").drop());
    }
    Set<String> dropped = mapNames(file);
    assertTrue(dropped.stream().noneMatch(n -> n.contains("other.")), dropped::toString);
    assertTrue(dropped.stream().noneMatch(n -> n.contains("emailKey_1")), dropped::toString);
    assertTrue(dropped.stream().noneMatch(n -> n.startsWith("shop.orders.")), dropped::toString);
    assertTrue(dropped.contains("shop.users._index__id_" + CompactMaps.SUFFIX), dropped::toString);
  }

  /** A crash during the move may leave both maps, the new one part filled (and, for all we know, stored). */
  @Test
  void anInterruptedMoveIsMadeAgain() {
    Path file = dir.resolve("interrupted.mv");
    List<ObjectId> orderIds = writeWithTheStockBackend(file);
    rewrite(file, store -> {
      for (String index : List.of("shop.users._index__id_", "shop.users._index_emailKey_1", "shop.orders._index__id_")) {
        MVMap<KeyValue, Object> old = store.openMap(index);
        MVMap<KeyValue, Object> ordered = store.openMap(index + CompactMaps.SUFFIX,
            new MVMap.Builder<KeyValue, Object>().keyType(KeyValueType.compact()).valueType(StoredValueType.INSTANCE));
        copyEvery(2, old, ordered);
        assertTrue(ordered.size() > 0 && ordered.size() < old.size());
      }
      copyEvery(3, store.openMap("databases.shop.users"), store.openMap("databases.shop.users" + CompactMaps.SUFFIX,
          new MVMap.Builder<>().keyType(StoredValueType.INSTANCE).valueType(StoredValueType.INSTANCE)));
    });

    assertOpensWhole(file, orderIds);
    Set<String> names = mapNames(file);
    assertFalse(names.contains("shop.users._index__id_"), names::toString);
    assertFalse(names.contains("shop.orders._index__id_"), names::toString);
    assertFalse(names.contains("databases.shop.users"), names::toString);
  }

  /** The previous version of this server kept unique indexes in Java-serialized "#ordered" maps. */
  @Test
  void aFileOfThePreviousVersionIsConverted() {
    Path file = dir.resolve("previous.mv");
    List<ObjectId> orderIds = writeWithTheStockBackend(file);
    rewrite(file, store -> {
      for (String index : List.of("shop.users._index__id_", "shop.users._index_emailKey_1", "shop.orders._index__id_",
          "shop.numbers._index__id_")) {
        MVMap<KeyValue, Object> old = store.openMap(index);
        MVMap<KeyValue, Object> ordered = store.openMap(index + CompactMaps.ORDERED_SUFFIX,
            new MVMap.Builder<KeyValue, Object>().keyType(KeyValueType.javaSerialized()));
        ordered.putAll(old);
        store.removeMap(old);
      }
    });

    assertOpensWhole(file, orderIds);
    Set<String> names = mapNames(file);
    assertTrue(names.stream().noneMatch(n -> n.endsWith(CompactMaps.ORDERED_SUFFIX)), names::toString);
    assertTrue(names.contains("shop.users._index_emailKey_1" + CompactMaps.SUFFIX), names::toString);
  }

  /** Changes the file directly, as an earlier version or a crash left it, and stores the change. */
  private static void rewrite(Path file, Consumer<MVStore> change) {
    MVStore store = MVStore.open(file.toString());
    try {
      change.accept(store);
      store.commit();
    } finally {
      store.close();
    }
  }

  /** Copies every {@code n}th entry, as a move interrupted part way would have. */
  private static <K, V> void copyEvery(int n, MVMap<K, V> from, MVMap<K, V> to) {
    int i = 0;
    for (Map.Entry<K, V> entry : from.entrySet()) {
      if (i++ % n == 0) {
        to.put(entry.getKey(), entry.getValue());
      }
    }
  }

  /** Opens the file in EmbeddedMongo: every document is found, every unique index still refuses duplicates. */
  private static void assertOpensWhole(Path file, List<ObjectId> orderIds) {
    try (EmbeddedMongo mongo = EmbeddedMongo.start(file, 0);
         MongoClient client = MongoClients.create(DurableWritesTest.settings(mongo.port()))) {
      MongoDatabase shop = client.getDatabase("shop");
      assertEverythingIsThere(shop, orderIds, 0);
      assertDuplicatesRefused(shop, orderIds);
    }
  }

  /** Writes users (string _ids, unique emailKey), orders (ObjectId _ids) and numbers with the stock H2Backend. */
  private static List<ObjectId> writeWithTheStockBackend(Path file) {
    MongoServer stock = new MongoServer(new H2Backend(file.toString()));
    stock.bind(new InetSocketAddress("127.0.0.1", 0));
    List<ObjectId> orderIds = new ArrayList<>();
    try (MongoClient client = MongoClients.create(DurableWritesTest.settings(stock.getLocalAddress().getPort()))) {
      MongoDatabase shop = client.getDatabase("shop");
      MongoCollection<Document> users = shop.getCollection("users");
      Await.one(users.createIndex(Indexes.ascending("emailKey"), new IndexOptions().unique(true)));
      List<Document> batch = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        batch.add(user("user-" + i, "user-" + i + "@example.com"));
      }
      Await.one(users.insertMany(batch));

      List<Document> orders = new ArrayList<>();
      for (int i = 0; i < ORDERS; i++) {
        ObjectId id = new ObjectId();
        orderIds.add(id);
        orders.add(new Document("_id", id).append("userId", "user-" + (i % USERS)).append("total", i));
      }
      Await.one(shop.getCollection("orders").insertMany(orders));

      // number _ids: the library makes 1, 1L and 1.0 one key
      Await.one(shop.getCollection("numbers").insertMany(List.of(
          new Document("_id", 1).append("kind", "int"),
          new Document("_id", 2L).append("kind", "long"),
          new Document("_id", 3.5).append("kind", "double"),
          new Document("_id", (1L << 53) + 1).append("kind", "long beyond doubles"))));
    } finally {
      stock.shutdownNow();
    }
    return orderIds;
  }

  private static void assertEverythingIsThere(MongoDatabase shop, List<ObjectId> orderIds, int extraUsers) {
    MongoCollection<Document> users = shop.getCollection("users");
    for (int i = 0; i < USERS; i++) {
      Document user = Await.one(users.find(Filters.eq("_id", "user-" + i)).first());
      assertEquals("user-" + i + "@example.com", user.getString("emailKey"));
    }
    List<String> some = List.of("user-0", "user-17", "user-299", "no-such-user");
    assertEquals(3, Await.all(users.find(Filters.in("_id", some))).size());
    assertEquals(USERS + extraUsers, Await.one(users.countDocuments()));

    MongoCollection<Document> orders = shop.getCollection("orders");
    for (ObjectId id : orderIds) {
      assertNotNull(Await.one(orders.find(Filters.eq("_id", id)).first()), id::toString);
    }
    assertEquals(orderIds.size(), Await.all(orders.find(Filters.in("_id", orderIds))).size());

    MongoCollection<Document> numbers = shop.getCollection("numbers");
    assertEquals("int", Await.one(numbers.find(Filters.eq("_id", 1)).first()).getString("kind"));
    assertEquals("int", Await.one(numbers.find(Filters.eq("_id", 1.0)).first()).getString("kind"));
    assertEquals("long", Await.one(numbers.find(Filters.eq("_id", 2)).first()).getString("kind"));
    assertEquals("double", Await.one(numbers.find(Filters.eq("_id", 3.5)).first()).getString("kind"));
    assertEquals("long beyond doubles",
        Await.one(numbers.find(Filters.eq("_id", (1L << 53) + 1)).first()).getString("kind"));
    assertEquals(List.of(), Await.all(numbers.find(Filters.eq("_id", (double) (1L << 53)))));
  }

  private static void assertDuplicatesRefused(MongoDatabase shop, List<ObjectId> orderIds) {
    MongoCollection<Document> users = shop.getCollection("users");
    assertDuplicateKey(() -> Await.one(users.insertOne(user("user-5", "other@example.com"))));
    assertDuplicateKey(() -> Await.one(users.insertOne(user("user-other", "user-7@example.com"))));
    assertDuplicateKey(() -> Await.one(users.updateOne(Filters.eq("_id", "user-8"),
        new Document("$set", new Document("emailKey", "user-9@example.com")))));
    assertDuplicateKey(() -> Await.one(shop.getCollection("orders").insertOne(new Document("_id", orderIds.get(3)))));
    MongoCollection<Document> numbers = shop.getCollection("numbers");
    assertDuplicateKey(() -> Await.one(numbers.insertOne(new Document("_id", 1.0))));
    assertDuplicateKey(() -> Await.one(numbers.insertOne(new Document("_id", 2))));
    assertDuplicateKey(() -> Await.one(numbers.insertOne(new Document("_id", (1L << 53) + 1))));
  }

  private static void assertDuplicateKey(Executable write) {
    RuntimeException e = assertThrows(RuntimeException.class, write);
    int code = e instanceof MongoWriteException w ? w.getCode()
        : e instanceof MongoBulkWriteException b ? b.getWriteErrors().get(0).getCode() : -1;
    if (code != 11000 || !e.getMessage().contains("E11000")) {
      fail("expected a duplicate key error (E11000), got " + e, e);
    }
  }

  private static Document user(String id, String email) {
    return new Document("_id", id).append("emailKey", email).append("name", "name of " + id);
  }

  private static Set<String> mapNames(Path file) {
    MVStore store = new MVStore.Builder().fileName(file.toString()).readOnly().open();
    try {
      return new TreeSet<>(store.getMapNames());
    } finally {
      store.close();
    }
  }
}
