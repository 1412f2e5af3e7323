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
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The on-disk form of documents, document ids and index keys in the embedded MongoDB-wire server's H2 file: one tag
 * byte, then the value, nested documents and lists written in place.
 *
 * <p><b>Why:</b> H2's default {@link ObjectDataType} writes every document with Java serialization (a new
 * ObjectOutputStream per value, class descriptors included), and MVStore writes a changed page whole, every document on
 * it, at each commit. With a commit before every acknowledged write (see {@link DurableH2Backend}) that serialization
 * was most of the server's CPU. This format is a few tag bytes and the values' own bits.
 *
 * <p><b>Lossless for every type the library keeps in a document</b> (those its BSON decoder produces, plus
 * {@link Missing}): a value reads back equal and of the same class (Integer stays Integer, an Instant keeps its
 * nanoseconds, a LegacyUUID stays legacy). Maps read back as {@link Document}, collections as lists, as the library's
 * wire decoder makes them. Anything else (never seen in practice) is written with H2's own format after a tag of its
 * own, so nothing the library stores can fail to be written.
 */
final class StoredValueCodec {

  private static final byte NULL = 0;
  private static final byte MISSING = 1;
  private static final byte FALSE = 2;
  private static final byte TRUE = 3;
  private static final byte INT = 4;
  private static final byte LONG = 5;
  private static final byte DOUBLE = 6;
  private static final byte STRING = 7;
  private static final byte OBJECT_ID = 8;
  private static final byte DOCUMENT = 9;
  private static final byte LIST = 10;
  private static final byte INSTANT = 11;
  private static final byte UUID_TAG = 12;
  private static final byte LEGACY_UUID = 13;
  private static final byte BIN_DATA = 14;
  private static final byte DECIMAL128 = 15;
  private static final byte TIMESTAMP = 16;
  private static final byte REGEX = 17;
  private static final byte REGEX_NO_OPTIONS = 18;
  private static final byte MIN_KEY = 19;
  private static final byte MAX_KEY = 20;
  private static final byte JAVASCRIPT = 21;
  /** Followed by H2's {@link ObjectDataType} form: the fallback for types not listed above. */
  private static final byte H2_OBJECT = 127;

  private static final int OBJECT_ID_BYTES = 12;

  private StoredValueCodec() {
  }

  static void write(WriteBuffer buff, Object value) {
    if (value == null) {
      buff.put(NULL);
    } else if (value instanceof String s) {
      buff.put(STRING);
      writeString(buff, s);
    } else if (value instanceof ObjectId id) {
      buff.put(OBJECT_ID).put(id.toByteArray());
    } else if (value instanceof Integer i) {
      buff.put(INT).putVarInt(zigZag(i));
    } else if (value instanceof Long l) {
      buff.put(LONG).putVarLong(zigZag(l));
    } else if (value instanceof Double d) {
      buff.put(DOUBLE).putDouble(d);
    } else if (value instanceof Boolean b) {
      buff.put(b ? TRUE : FALSE);
    } else if (value instanceof Map<?, ?> map) {
      buff.put(DOCUMENT).putVarInt(map.size());
      for (Map.Entry<?, ?> e : map.entrySet()) {
        writeString(buff, (String) e.getKey());
        write(buff, e.getValue());
      }
    } else if (value instanceof Collection<?> list) {
      buff.put(LIST).putVarInt(list.size());
      for (Object element : list) {
        write(buff, element);
      }
    } else if (value instanceof Instant t) {
      buff.put(INSTANT).putVarLong(zigZag(t.getEpochSecond())).putVarInt(t.getNano());
    } else {
      writeRare(buff, value);
    }
  }

  private static void writeRare(WriteBuffer buff, Object value) {
    if (value instanceof Missing) {
      buff.put(MISSING);
    } else if (value instanceof UUID u) {
      buff.put(UUID_TAG).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    } else if (value instanceof LegacyUUID legacy) {
      UUID u = legacy.getUuid();
      buff.put(LEGACY_UUID).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    } else if (value instanceof BinData bin) {
      byte[] data = bin.getData();
      buff.put(BIN_DATA).putVarInt(data.length).put(data);
    } else if (value instanceof Decimal128 dec) {
      buff.put(DECIMAL128).putLong(dec.getLow()).putLong(dec.getHigh());
    } else if (value instanceof BsonTimestamp ts) {
      buff.put(TIMESTAMP).putLong(ts.getValue());
    } else if (value instanceof BsonRegularExpression regex) {
      buff.put(regex.getOptions() == null ? REGEX_NO_OPTIONS : REGEX);
      writeString(buff, regex.getPattern());
      if (regex.getOptions() != null) {
        writeString(buff, regex.getOptions());
      }
    } else if (value instanceof MinKey) {
      buff.put(MIN_KEY);
    } else if (value instanceof MaxKey) {
      buff.put(MAX_KEY);
    } else if (value instanceof BsonJavaScript js) {
      buff.put(JAVASCRIPT);
      writeString(buff, js.getCode());
    } else {
      buff.put(H2_OBJECT);
      H2_FORMAT.write(buff, value);
    }
  }

  static Object read(ByteBuffer buff) {
    byte tag = buff.get();
    return switch (tag) {
      case NULL -> null;
      case MISSING -> Missing.getInstance();
      case FALSE -> Boolean.FALSE;
      case TRUE -> Boolean.TRUE;
      case INT -> unZigZag(DataUtils.readVarInt(buff));
      case LONG -> unZigZag(DataUtils.readVarLong(buff));
      case DOUBLE -> buff.getDouble();
      case STRING -> readString(buff);
      case OBJECT_ID -> readObjectId(buff);
      case DOCUMENT -> readDocument(buff);
      case LIST -> readList(buff);
      case INSTANT -> Instant.ofEpochSecond(unZigZag(DataUtils.readVarLong(buff)), DataUtils.readVarInt(buff));
      case UUID_TAG -> new UUID(buff.getLong(), buff.getLong());
      case LEGACY_UUID -> new LegacyUUID(new UUID(buff.getLong(), buff.getLong()));
      case BIN_DATA -> readBinData(buff);
      case DECIMAL128 -> new Decimal128(buff.getLong(), buff.getLong());
      case TIMESTAMP -> new BsonTimestamp(buff.getLong());
      case REGEX -> new BsonRegularExpression(readString(buff), readString(buff));
      case REGEX_NO_OPTIONS -> new BsonRegularExpression(readString(buff), null);
      case MIN_KEY -> MinKey.getInstance();
      case MAX_KEY -> MaxKey.getInstance();
      case JAVASCRIPT -> new BsonJavaScript(readString(buff));
      case H2_OBJECT -> H2_FORMAT.read(buff);
      default -> throw new IllegalStateException("unknown stored value tag " + tag + " at " + (buff.position() - 1));
    };
  }

  /** H2's own format, for the rare types; its type cache is thread-safe for reading and writing. */
  private static final ObjectDataType H2_FORMAT = new ObjectDataType();

  private static Document readDocument(ByteBuffer buff) {
    int size = DataUtils.readVarInt(buff);
    Document document = new Document();
    for (int i = 0; i < size; i++) {
      String key = readString(buff);
      document.put(key, read(buff));
    }
    return document;
  }

  private static List<Object> readList(ByteBuffer buff) {
    int size = DataUtils.readVarInt(buff);
    List<Object> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(read(buff));
    }
    return list;
  }

  private static ObjectId readObjectId(ByteBuffer buff) {
    byte[] bytes = new byte[OBJECT_ID_BYTES];
    buff.get(bytes);
    return new ObjectId(bytes);
  }

  private static BinData readBinData(ByteBuffer buff) {
    byte[] data = new byte[DataUtils.readVarInt(buff)];
    buff.get(data);
    return new BinData(data);
  }

  /**
   * UTF-8 with its byte length: {@code getBytes} and {@code new String} are intrinsics that copy Latin-1 text as a
   * block, where H2's own string format goes char by char (that loop was a fifth of the server's CPU).
   */
  private static void writeString(WriteBuffer buff, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buff.putVarInt(bytes.length).put(bytes);
  }

  private static String readString(ByteBuffer buff) {
    int length = DataUtils.readVarInt(buff);
    String s;
    if (buff.hasArray()) {
      s = new String(buff.array(), buff.arrayOffset() + buff.position(), length, StandardCharsets.UTF_8);
      buff.position(buff.position() + length);
    } else {
      byte[] bytes = new byte[length];
      buff.get(bytes);
      s = new String(bytes, StandardCharsets.UTF_8);
    }
    return s;
  }

  /** Small negative numbers (stock deltas, -1 sort keys) as short varints too. */
  private static int zigZag(int v) {
    return (v << 1) ^ (v >> 31);
  }

  private static int unZigZag(int v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static long zigZag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unZigZag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }
}
