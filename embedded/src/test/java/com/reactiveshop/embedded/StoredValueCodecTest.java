package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonJavaScript;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.LegacyUUID;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Every value the library keeps in a document reads back equal and of the same class. */
class StoredValueCodecTest {

  @Test
  void everyDocumentValueTypeReadsBackEqualAndOfTheSameClass() {
    Document nested = new Document("sku", "A-1").append("qty", 3).append("tags", List.of("x", "y"));
    List<Object> values = Arrays.asList(null, Missing.getInstance(), true, false, 0, -1, Integer.MIN_VALUE,
        Integer.MAX_VALUE, 0L, -2L, Long.MIN_VALUE, Long.MAX_VALUE, 0.0, -0.0, 1.5, Double.NaN,
        Double.NEGATIVE_INFINITY, "", "plain", "ünïcødé ✓ \uD83D\uDE00", new ObjectId(), nested,
        new ArrayList<>(List.of(1, "two", 3.0)), Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
        Instant.ofEpochSecond(-5, 1), UUID.randomUUID(), new LegacyUUID(UUID.randomUUID()),
        new BinData(new byte[] {0, 1, -1, 127}), new Decimal128(new BigDecimal("12.345")),
        new BsonTimestamp(Instant.ofEpochSecond(1_700_000_000L), 7), new BsonRegularExpression("^a.*", "i"),
        new BsonRegularExpression("b$", null), MinKey.getInstance(), MaxKey.getInstance(),
        new BsonJavaScript("function() {}"));
    Document document = new Document("_id", new ObjectId());
    for (int i = 0; i < values.size(); i++) {
      document.put("f" + i, values.get(i));
    }

    Document read = (Document) roundTrip(document);

    assertEquals(new ArrayList<>(document.keySet()), new ArrayList<>(read.keySet()), "field order");
    for (String field : document.keySet()) {
      Object expected = document.get(field);
      Object actual = read.get(field);
      if (expected instanceof Double d && d.isNaN()) {
        assertInstanceOf(Double.class, actual);
        assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) actual));
      } else if (expected instanceof BinData bin) {
        assertArrayEquals(bin.getData(), ((BinData) actual).getData(), field);
      } else if (expected instanceof BsonRegularExpression regex) {
        assertEquals(regex.getPattern(), ((BsonRegularExpression) actual).getPattern(), field);
        assertEquals(regex.getOptions(), ((BsonRegularExpression) actual).getOptions(), field);
      } else if (expected instanceof BsonJavaScript js) {
        assertEquals(js.getCode(), ((BsonJavaScript) actual).getCode(), field);
      } else {
        assertEquals(expected, actual, field);
        assertEquals(expected == null ? null : expected.getClass(), actual == null ? null : actual.getClass(), field);
      }
    }
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) read.get("f13")));
    assertSame(Missing.getInstance(), read.get("f1"));
    assertNull(read.get("f0"));
  }

  @Test
  void collectionsOtherThanListsReadBackAsListsAndUnknownTypesAsThemselves() {
    Document document = new Document("set", new LinkedHashSet<>(List.of(3, 1, 2)))
        .append("other", new StringBuilder("kept by H2's own format").toString().toCharArray());
    Document read = (Document) roundTrip(document);
    assertEquals(List.of(3, 1, 2), read.get("set"));
    assertArrayEquals("kept by H2's own format".toCharArray(), (char[]) read.get("other"));
  }

  @Test
  void aDataMapFindsDocumentsByAnyIdTypeAfterAReopen(@TempDir Path dir) {
    List<Object> ids = List.of("user-1", new ObjectId(), 7, 8L, 9.5, Missing.getInstance(), UUID.randomUUID(),
        new Document("k", 1));
    String file = dir.resolve("data.mv").toString();
    for (int round = 0; round < 2; round++) {
      MVStore store = new MVStore.Builder().fileName(file).open();
      try {
        MVMap<Object, Document> map = store.openMap("data", new MVMap.Builder<Object, Document>()
            .keyType(StoredValueType.INSTANCE).valueType(StoredValueType.INSTANCE));
        if (round == 0) {
          for (Object id : ids) {
            map.put(id, new Document("_id", id).append("n", ids.indexOf(id)));
          }
        }
        for (Object id : ids) {
          assertEquals(ids.indexOf(id), map.get(id).get("n"), id::toString);
        }
        assertEquals(2, map.get(7L).get("n"), "7 and 7L are one id, as in the library's _id index");
        assertEquals(ids.size(), map.size());
      } finally {
        store.close();
      }
    }
  }

  private static Object roundTrip(Object value) {
    WriteBuffer buffer = new WriteBuffer();
    StoredValueCodec.write(buffer, value);
    ByteBuffer bytes = buffer.getBuffer();
    bytes.flip();
    Object read = StoredValueCodec.read(bytes);
    assertEquals(0, bytes.remaining(), "every byte read");
    return read;
  }
}
