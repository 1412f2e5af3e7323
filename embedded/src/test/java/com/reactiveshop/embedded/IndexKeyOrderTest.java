package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.LegacyUUID;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link IndexKeyOrder} must be a total order whose equality is the library's key equality (keys are normalized by
 * the library before they reach an index), and should order like the library's ValueComparator wherever that one is
 * a total order; {@link KeyValueType#javaSerialized()} must read keys byte for byte as H2's default type wrote them
 * (maps of an earlier version), {@link KeyValueType#compact()} must read back every key it wrote.
 */
class IndexKeyOrderTest {

  private static final IndexKeyOrder ORDER = IndexKeyOrder.INSTANCE;
  private static final int KEYS = 400;

  // ---- properties over random mixed keys

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 20261130})
  void isATotalOrderWhoseEqualityIsTheLibrarys(long seed) {
    List<KeyValue> keys = randomNormalizedKeys(new Random(seed), KEYS, false);
    for (KeyValue a : keys) {
      for (KeyValue b : keys) {
        int ab = ORDER.compare(a, b);
        int ba = ORDER.compare(b, a);
        if (Integer.signum(ab) != -Integer.signum(ba)) {
          fail("not antisymmetric: " + a + " vs " + b + ": " + ab + " / " + ba);
        }
        // the memory backend's HashMap and the stock H2 index agree on normalized keys: equals
        if ((ab == 0) != a.equals(b)) {
          fail("equality differs from the library's for " + a + " vs " + b + ": compare " + ab);
        }
      }
    }
    assertSortedConsistently(keys);
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 8, 9})
  void compoundKeysToo(long seed) {
    Random random = new Random(seed);
    List<KeyValue> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      // compound keys of two or three fields, from small pools so that prefixes and whole keys repeat
      int size = 2 + random.nextInt(2);
      List<Object> values = new ArrayList<>();
      for (int j = 0; j < size; j++) {
        values.add(random.nextInt(3) == 0 ? randomValue(random, 1, false) : smallPoolValue(random));
      }
      keys.add(new KeyValue(values).normalized());
    }
    for (KeyValue a : keys) {
      for (KeyValue b : keys) {
        assertEquals(a.equals(b), ORDER.compare(a, b) == 0, () -> a + " vs " + b);
        assertEquals(-Integer.signum(ORDER.compare(b, a)), Integer.signum(ORDER.compare(a, b)));
      }
    }
    assertSortedConsistently(keys);
  }

  /** The stock H2 index took two keys as one when they serialize alike; this order must too, and conversely. */
  @ParameterizedTest
  @ValueSource(longs = {11, 12})
  void equalAsTheStockH2IndexDecided(long seed) {
    List<KeyValue> keys = randomNormalizedKeys(new Random(seed), 250, false);
    List<byte[]> bytes = keys.stream().map(ObjectDataType::serialize).toList();
    for (int i = 0; i < keys.size(); i++) {
      for (int j = 0; j < keys.size(); j++) {
        boolean sameBytes = Arrays.equals(bytes.get(i), bytes.get(j));
        boolean equal = ORDER.compare(keys.get(i), keys.get(j)) == 0;
        KeyValue a = keys.get(i);
        KeyValue b = keys.get(j);
        if (sameBytes && !equal) {
          fail("the stock index saw one key, this order two: " + a + " / " + b);
        }
        // Documents may serialize apart while equal (a HashMap's capacity is part of its bytes); flat keys may not
        if (equal && !sameBytes && isFlat(a) && isFlat(b)) {
          fail("the stock index saw two keys, this order one: " + a + " / " + b);
        }
      }
    }
  }

  /** Within one element, the order is the library's ValueComparator wherever that is a total order. */
  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23})
  void ordersLikeTheLibrarysValueComparator(long seed) {
    Random random = new Random(seed);
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      values.add(new KeyValue(Collections.singletonList(randomValue(random, 1, true))).normalized().get(0));
    }
    for (Object a : values) {
      for (Object b : values) {
        int expected = Integer.signum(ValueComparator.asc().compare(a, b));
        int actual = Integer.signum(IndexKeyOrder.compareValues(a, b));
        if (expected != actual) {
          fail("ValueComparator says " + expected + ", IndexKeyOrder " + actual + " for " + a + " ("
              + type(a) + ") vs " + b + " (" + type(b) + ")");
        }
      }
    }
  }

  // ---- the chosen semantics, one by one

  @Test
  void numbersAreOneKeyWhateverTheirType() {
    assertAllEqual(1, 1L, 1.0, 1.0f);
    assertAllEqual(0.0, -0.0, 0, 0L);
    assertAllEqual(Double.NaN, Double.NaN, Float.NaN);
    assertAllEqual(1e300, 1e300);
    // normalized by the library: all doubles, so also equal to the memory backend
    assertEquals(new KeyValue(1).normalized(), new KeyValue(1.0).normalized());
    assertEquals(0, ORDER.compare(new KeyValue(1).normalized(), new KeyValue(1L).normalized()));
    assertEquals(0, ORDER.compare(new KeyValue(-0.0).normalized(), new KeyValue(0).normalized()));
  }

  @Test
  void longsAreComparedExactlyWithDoubles() {
    long beyondDoubles = (1L << 53) + 1; // no double holds it: the library keeps it a Long
    Object normalized = new KeyValue(beyondDoubles).normalized().get(0);
    assertEquals(Long.class, normalized.getClass());
    assertTrue(IndexKeyOrder.compareValues(normalized, (double) (1L << 53)) > 0);
    assertTrue(IndexKeyOrder.compareValues(normalized, (double) ((1L << 53) + 2)) < 0);
    assertTrue(IndexKeyOrder.compareValues(Long.MAX_VALUE - 1, 0x1p63) < 0);
    assertTrue(IndexKeyOrder.compareValues(Long.MIN_VALUE + 1, -0x1p63) > 0);
    assertTrue(IndexKeyOrder.compareValues(3L, 2.5) > 0);
    assertTrue(IndexKeyOrder.compareValues(-3L, -2.5) < 0);
    assertTrue(IndexKeyOrder.compareValues(5L, Double.POSITIVE_INFINITY) < 0);
    assertTrue(IndexKeyOrder.compareValues(5L, Double.NEGATIVE_INFINITY) > 0);
    assertTrue(IndexKeyOrder.compareValues(beyondDoubles, Double.NaN) < 0); // NaN above every number
    assertTrue(IndexKeyOrder.compareValues(Double.POSITIVE_INFINITY, Double.NaN) < 0);
  }

  @Test
  void nullAndMissingAreOneKeyJustAboveMinKey() {
    Object deserializedMissing = ObjectDataType.deserialize(ObjectDataType.serialize(Missing.getInstance()));
    assertAllEqual(null, Missing.getInstance(), deserializedMissing);
    assertTrue(IndexKeyOrder.compareValues(MinKey.getInstance(), null) < 0);
    assertTrue(IndexKeyOrder.compareValues(null, Double.NEGATIVE_INFINITY) < 0);
    assertTrue(IndexKeyOrder.compareValues(null, "") < 0);
  }

  @Test
  void arraysAreComparedElementByElementNotByTheirSmallestElement() {
    List<Object> a = List.of(1.0, 2.0);
    List<Object> b = List.of(1.0, 3.0);
    assertEquals(0, ValueComparator.asc().compare(a, b)); // why ValueComparator cannot decide uniqueness here
    assertTrue(IndexKeyOrder.compareValues(a, b) < 0);
    assertTrue(IndexKeyOrder.compareValues(List.of(1.0), a) < 0);
    assertEquals(0, IndexKeyOrder.compareValues(new ArrayList<>(a), List.of(1.0, 2.0)));
  }

  @Test
  void documentsAreEqualOnlyWithTheSameFieldsInTheSameOrder() {
    Document ab = new Document("a", 1.0).append("b", 2.0);
    Document ba = new Document("b", 2.0).append("a", 1.0);
    assertNotEquals(0, IndexKeyOrder.compareValues(ab, ba)); // as Document.equals, and as MongoDB
    assertEquals(0, IndexKeyOrder.compareValues(ab, new Document("a", 1.0).append("b", 2.0)));
    assertTrue(IndexKeyOrder.compareValues(new Document("a", 1.0), ab) < 0);
  }

  @Test
  void regexesAreOneKeyWhenPatternAndOptionsMatch() {
    BsonRegularExpression plain = new BsonRegularExpression("^a", null);
    assertEquals(0, IndexKeyOrder.compareValues(plain, new BsonRegularExpression("^a", null)));
    assertTrue(IndexKeyOrder.compareValues(plain, new BsonRegularExpression("^a", "i")) < 0);
    assertTrue(IndexKeyOrder.compareValues(plain, new BsonRegularExpression("^b", null)) < 0);
    assertTrue(IndexKeyOrder.compareValues(plain, MaxKey.getInstance()) < 0);
  }

  // ---- the key type

  @ParameterizedTest
  @ValueSource(longs = {31, 32})
  void theJavaSerializedTypeStoresKeysExactlyAsH2sDefaultTypeDid(long seed) {
    KeyValueType type = KeyValueType.javaSerialized();
    ObjectDataType stock = new ObjectDataType();
    for (KeyValue key : randomNormalizedKeys(new Random(seed), 200, false)) {
      WriteBuffer ours = new WriteBuffer();
      type.write(ours, key);
      WriteBuffer theirs = new WriteBuffer();
      stock.write(theirs, key);
      assertArrayEquals(bytes(theirs), bytes(ours), key::toString);

      KeyValue read = type.read(ByteBuffer.wrap(bytes(ours)));
      assertEquals(0, ORDER.compare(key, read), key::toString);
      assertTrue(type.getMemory(key) > 0);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {33, 34})
  void theCompactTypeReadsBackEveryKeyEqualAndOfTheSameClasses(long seed) {
    KeyValueType type = KeyValueType.compact();
    for (KeyValue key : randomNormalizedKeys(new Random(seed), 300, false)) {
      WriteBuffer buffer = new WriteBuffer();
      type.write(buffer, key);
      KeyValue read = type.read(ByteBuffer.wrap(bytes(buffer)));
      assertEquals(key, read, key::toString);
      assertEquals(0, ORDER.compare(key, read), key::toString);
      for (int i = 0; i < key.size(); i++) {
        assertEquals(key.get(i) == null ? null : key.get(i).getClass(),
            read.get(i) == null ? null : read.get(i).getClass(), key::toString);
      }
    }
  }

  @Test
  void anMvMapWithThisKeyTypeFindsEveryKeyAndIteratesInOrder() {
    List<KeyValue> keys = new ArrayList<>(new LinkedHashSet<>(randomNormalizedKeys(new Random(5), 3000, false)));
    Collections.shuffle(keys, new Random(6));
    MVStore store = new MVStore.Builder().open(); // in memory
    try {
      MVMap<KeyValue, Object> map =
          store.openMap("index", new MVMap.Builder<KeyValue, Object>().keyType(KeyValueType.compact()));
      for (int i = 0; i < keys.size(); i++) {
        assertEquals(null, map.putIfAbsent(keys.get(i), "position-" + i), keys.get(i)::toString);
      }
      assertEquals(keys.size(), map.size());
      for (int i = 0; i < keys.size(); i++) {
        assertEquals("position-" + i, map.get(keys.get(i)), keys.get(i)::toString);
        assertEquals("position-" + i, map.get(copyOf(keys.get(i))), keys.get(i)::toString);
      }
      List<KeyValue> iterated = new ArrayList<>(map.keySet());
      List<KeyValue> sorted = new ArrayList<>(keys);
      sorted.sort(ORDER);
      assertEquals(sorted, iterated);
    } finally {
      store.close();
    }
  }

  // ---- helpers

  private static void assertSortedConsistently(List<KeyValue> keys) {
    List<KeyValue> sorted = new ArrayList<>(keys);
    Collections.shuffle(sorted, new Random(keys.size()));
    sorted.sort(ORDER); // TimSort also throws on some contract violations
    for (int i = 0; i < sorted.size(); i++) {
      for (int j = i + 1; j < sorted.size(); j++) {
        if (ORDER.compare(sorted.get(i), sorted.get(j)) > 0) {
          fail("not transitive: " + sorted.get(i) + " sorted before " + sorted.get(j));
        }
      }
    }
  }

  private static void assertAllEqual(Object... values) {
    for (Object a : values) {
      for (Object b : values) {
        assertEquals(0, IndexKeyOrder.compareValues(a, b), () -> a + " (" + type(a) + ") vs " + b + " (" + type(b) + ")");
      }
    }
  }

  /** A structurally equal key made of other instances, as a lookup brings. */
  private static KeyValue copyOf(KeyValue key) {
    return (KeyValue) ObjectDataType.deserialize(ObjectDataType.serialize(key));
  }

  private static byte[] bytes(WriteBuffer buffer) {
    ByteBuffer b = buffer.getBuffer();
    b.flip();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static List<KeyValue> randomNormalizedKeys(Random random, int n, boolean forValueComparator) {
    List<KeyValue> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Object> values = new ArrayList<>();
      int size = random.nextInt(4) == 0 ? 2 : 1;
      for (int j = 0; j < size; j++) {
        values.add(randomValue(random, 2, forValueComparator));
      }
      keys.add(new KeyValue(values).normalized()); // what the library puts into an index and looks up
    }
    return keys;
  }

  private static final String[] STRINGS = {"", "a", "b", "ab", "B", "é", "ü", "a\u0000", "user-1@example.com"};
  private static final ObjectId[] OBJECT_IDS = {
      new ObjectId("000000000000000000000000"), new ObjectId("5f1d7a3b2c4e6f8a9b0c1d2e"),
      new ObjectId("5f1d7a3b2c4e6f8a9b0c1d2f"), new ObjectId("ffffffffffffffffffffffff")};
  private static final UUID[] UUIDS = {
      new UUID(0, 0), new UUID(-1, 5), new UUID(3, -7), UUID.fromString("123e4567-e89b-12d3-a456-426614174000")};

  /** Values repeated often, so that equal keys made of different instances turn up. */
  private static Object smallPoolValue(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> STRINGS[random.nextInt(3)];
      case 1 -> random.nextInt(3);
      case 2 -> (double) random.nextInt(3);
      case 3 -> null;
      case 4 -> OBJECT_IDS[random.nextInt(2)];
      default -> random.nextBoolean();
    };
  }

  private static Object randomValue(Random random, int depth, boolean forValueComparator) {
    int kinds = depth > 0 ? 22 : 20;
    return switch (random.nextInt(kinds)) {
      case 0 -> null;
      case 1 -> Missing.getInstance();
      case 2 -> random.nextInt(5) - 2;
      case 3 -> (long) (random.nextInt(5) - 2);
      case 4 -> forValueComparator
          // ValueComparator is no total order for NaN and for doubles beyond the long range (it saturates them to
          // Long.MAX_VALUE: 1e300 == 2^63 there): those are covered by the other properties and tests
          ? pick(random, 0.0, -0.0, 1.0, 0.5, -1.5, 2.0, 0x1p53, 9.2e18, -9.2e18, random.nextDouble())
          : pick(random, 0.0, -0.0, 1.0, 0.5, -1.5, 2.0, 1e300, -1e300, 0x1p53, 0x1p63, 9.2e18,
              Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, random.nextDouble());
      case 5 -> pick(random, (1L << 53) + 1, -(1L << 53) - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
          (1L << 60) + 3, random.nextLong());
      case 6, 7 -> STRINGS[random.nextInt(STRINGS.length)];
      case 8 -> "s" + random.nextInt(50);
      case 9 -> OBJECT_IDS[random.nextInt(OBJECT_IDS.length)];
      case 10 -> random.nextBoolean();
      case 11 -> Instant.ofEpochMilli(random.nextInt(3) * 1000L);
      case 12 -> UUIDS[random.nextInt(UUIDS.length)];
      case 13 -> new LegacyUUID(UUIDS[random.nextInt(UUIDS.length)]);
      case 14 -> new BinData(new byte[] {(byte) random.nextInt(3), (byte) (random.nextInt(2) * 200)});
      case 15 -> new BinData(new byte[random.nextInt(3)]);
      case 16 -> new BsonTimestamp(random.nextInt(3));
      case 17 -> MinKey.getInstance();
      case 18 -> MaxKey.getInstance();
      case 19 -> 1.0f * (random.nextInt(3) - 1);
      case 20 -> {
        Document document = new Document();
        int fields = random.nextInt(3);
        for (int i = 0; i < fields; i++) {
          document.put(pick(random, "a", "b", "c"), randomValue(random, depth - 1, forValueComparator));
        }
        yield document;
      }
      default -> {
        if (forValueComparator) {
          yield randomValue(random, 0, true); // ValueComparator's array order is not a total order: see IndexKeyOrder
        }
        List<Object> list = new ArrayList<>();
        int elements = random.nextInt(4);
        for (int i = 0; i < elements; i++) {
          list.add(randomValue(random, depth - 1, false));
        }
        yield list;
      }
    };
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... options) {
    return options[random.nextInt(options.length)];
  }

  private static boolean isFlat(KeyValue key) {
    return key.stream().noneMatch(v -> v instanceof Map || v instanceof Collection);
  }

  private static String type(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }
}
