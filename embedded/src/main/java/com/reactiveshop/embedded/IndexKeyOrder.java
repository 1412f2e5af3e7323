package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.LegacyUUID;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.h2.mvstore.type.ObjectDataType;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/**
 * A total order over the keys of a unique index ({@link KeyValue}s) that needs no serialization, for
 * {@link KeyValueType}.
 *
 * <p><b>Equality</b> is what decides whether two documents collide in a unique index, so it must be the library's:
 * mongo-java-server normalizes every key before it stores or looks it up ({@code KeyValue.normalized()}, also applied
 * inside {@code Index.getKeyValues}): null and Missing become null, every number becomes a Double (a Long only when no
 * double holds it exactly), -0.0 becomes 0.0, maps become Documents and collections Lists, recursively. Two normalized
 * keys are then the same key when they are {@code equals} (the memory backend's HashMap) or serialize to the same
 * bytes (the stock H2 index). This order says 0 exactly for those, and is lenient only where normalization already
 * merged the values anyway:
 * <ul>
 *   <li>numbers compare by exact numeric value, whatever their class: 1, 1L and 1.0 are the same key (normalization
 *       makes them all 1.0), -0.0 equals 0.0, NaN equals NaN and sorts above every other number (as
 *       {@link Double#compare}); a long and a double are compared exactly, without rounding the long to a double;</li>
 *   <li>null and Missing (any instance: a deserialized Missing is not the singleton) are the same, lowest value after
 *       MinKey;</li>
 *   <li>documents are equal when they have the same keys in the same order with equal values (as
 *       {@code Document.equals}); lists when they have equal elements in the same order (as {@code List.equals}).</li>
 * </ul>
 *
 * <p><b>Ordering</b> follows the library's {@code ValueComparator} (MongoDB's BSON type order: MinKey, null, numbers,
 * strings, documents, arrays, binary, legacy UUID, UUID, ObjectId, boolean, date, timestamp, regex, MaxKey; within a
 * type the same comparisons), except where {@code ValueComparator} is not a total order: lists compare element by
 * element, shorter first (it compares arrays by their smallest element, so [1, 2] and [1, 3] would collide); numbers
 * compare exactly (it truncates NaN to 0 against a Long, and saturates doubles beyond the long range, so that 1e300 ==
 * 2^63 there); regexes compare by pattern, then options (it cannot compare them). Types the library does not sort (BsonJavaScript, anything unexpected) come after MaxKey, by class name, then by
 * {@link Comparable} or, failing that, by their serialized bytes, which is what H2 itself did for every key.
 *
 * <p>Keys compare element by element, then by length (within one index all keys have the same length).
 */
final class IndexKeyOrder implements Comparator<KeyValue> {

  static final IndexKeyOrder INSTANCE = new IndexKeyOrder();

  private static final int MIN_KEY = 0;
  private static final int NULL = 1;
  private static final int NUMBER = 2;
  private static final int STRING = 3;
  private static final int DOCUMENT = 4;
  private static final int LIST = 5;
  private static final int BIN_DATA = 6;
  private static final int LEGACY_UUID = 7;
  private static final int UUID_TYPE = 8;
  private static final int OBJECT_ID = 9;
  private static final int BOOLEAN = 10;
  private static final int DATE = 11;
  private static final int TIMESTAMP = 12;
  private static final int REGEX = 13;
  private static final int MAX_KEY = 14;
  private static final int OTHER = 15;

  /** 2^63 as a double: the first double above every long. */
  private static final double TWO_POW_63 = 0x1p63;

  private IndexKeyOrder() {
  }

  @Override
  public int compare(KeyValue a, KeyValue b) {
    if (a == b) {
      return 0;
    }
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = compareValues(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** The order of two single values (elements of a key, or values nested in them). */
  static int compareValues(Object a, Object b) {
    if (a == b) {
      return 0;
    }
    // the hot cases first: an _id index holds strings or ObjectIds
    if (a instanceof String sa && b instanceof String sb) {
      return sa.compareTo(sb);
    }
    if (a instanceof ObjectId oa && b instanceof ObjectId ob) {
      return oa.compareTo(ob);
    }
    int ta = rank(a);
    int tb = rank(b);
    if (ta != tb) {
      return Integer.compare(ta, tb);
    }
    return switch (ta) {
      case MIN_KEY, NULL, MAX_KEY -> 0;
      case NUMBER -> compareNumbers((Number) a, (Number) b);
      case STRING -> ((String) a).compareTo((String) b);
      case DOCUMENT -> compareDocuments((Map<?, ?>) a, (Map<?, ?>) b);
      case LIST -> compareLists((Collection<?>) a, (Collection<?>) b);
      case BIN_DATA -> ((BinData) a).compareTo((BinData) b);
      case LEGACY_UUID -> ((LegacyUUID) a).compareTo((LegacyUUID) b);
      case UUID_TYPE -> a.toString().compareTo(b.toString()); // as ValueComparator; equal exactly when equals
      case OBJECT_ID -> ((ObjectId) a).compareTo((ObjectId) b);
      case BOOLEAN -> Boolean.compare((Boolean) a, (Boolean) b);
      case DATE -> ((Instant) a).compareTo((Instant) b);
      case TIMESTAMP -> ((BsonTimestamp) a).compareTo((BsonTimestamp) b);
      case REGEX -> compareRegex((BsonRegularExpression) a, (BsonRegularExpression) b);
      default -> compareOther(a, b);
    };
  }

  private static int rank(Object v) {
    if (v == null || v instanceof Missing) {
      return NULL;
    } else if (v instanceof Number) {
      return NUMBER;
    } else if (v instanceof String) {
      return STRING;
    } else if (v instanceof Map) {
      return DOCUMENT;
    } else if (v instanceof Collection) {
      return LIST;
    } else if (v instanceof ObjectId) {
      return OBJECT_ID;
    } else if (v instanceof Boolean) {
      return BOOLEAN;
    } else if (v instanceof Instant) {
      return DATE;
    } else if (v instanceof BinData) {
      return BIN_DATA;
    } else if (v instanceof UUID) {
      return UUID_TYPE;
    } else if (v instanceof LegacyUUID) {
      return LEGACY_UUID;
    } else if (v instanceof BsonTimestamp) {
      return TIMESTAMP;
    } else if (v instanceof BsonRegularExpression) {
      return REGEX;
    } else if (v instanceof MinKey) {
      return MIN_KEY;
    } else if (v instanceof MaxKey) {
      return MAX_KEY;
    }
    return OTHER;
  }

  /** Exact numeric order; integral boxes as longs, everything else (Double, Float, Decimal128...) as its double. */
  static int compareNumbers(Number a, Number b) {
    boolean la = isIntegral(a);
    boolean lb = isIntegral(b);
    if (la && lb) {
      return Long.compare(a.longValue(), b.longValue());
    } else if (la) {
      return compareLongToDouble(a.longValue(), b.doubleValue());
    } else if (lb) {
      return -compareLongToDouble(b.longValue(), a.doubleValue());
    }
    double da = a.doubleValue();
    double db = b.doubleValue();
    if (da < db) {
      return -1;
    } else if (da > db) {
      return 1;
    } else if (da == db) {
      return 0; // also -0.0 == 0.0
    }
    return Boolean.compare(Double.isNaN(da), Double.isNaN(db)); // NaN == NaN, above everything else
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  private static int compareLongToDouble(long l, double d) {
    if (Double.isNaN(d) || d >= TWO_POW_63) {
      return -1;
    }
    if (d < -TWO_POW_63) {
      return 1;
    }
    long whole = (long) d; // exact truncation toward zero within the long range
    int c = Long.compare(l, whole);
    if (c != 0) {
      return c;
    }
    double fraction = d - whole; // exact: a double with a fraction is far below 2^52
    return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
  }

  /** Position by position: the value's type, then the field name, then the value (as ValueComparator). */
  private static int compareDocuments(Map<?, ?> a, Map<?, ?> b) {
    Iterator<? extends Map.Entry<?, ?>> ia = a.entrySet().iterator();
    Iterator<? extends Map.Entry<?, ?>> ib = b.entrySet().iterator();
    while (ia.hasNext() && ib.hasNext()) {
      Map.Entry<?, ?> ea = ia.next();
      Map.Entry<?, ?> eb = ib.next();
      int c = Integer.compare(rank(ea.getValue()), rank(eb.getValue()));
      if (c == 0) {
        c = compareValues(ea.getKey(), eb.getKey());
      }
      if (c == 0) {
        c = compareValues(ea.getValue(), eb.getValue());
      }
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(ia.hasNext(), ib.hasNext());
  }

  private static int compareLists(Collection<?> a, Collection<?> b) {
    Iterator<?> ia = a.iterator();
    Iterator<?> ib = b.iterator();
    while (ia.hasNext() && ib.hasNext()) {
      int c = compareValues(ia.next(), ib.next());
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(ia.hasNext(), ib.hasNext());
  }

  private static int compareRegex(BsonRegularExpression a, BsonRegularExpression b) {
    int c = a.getPattern().compareTo(b.getPattern());
    if (c != 0) {
      return c;
    }
    return Comparator.nullsFirst(Comparator.<String>naturalOrder()).compare(a.getOptions(), b.getOptions());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareOther(Object a, Object b) {
    int c = a.getClass().getName().compareTo(b.getClass().getName());
    if (c != 0) {
      return c;
    }
    if (a instanceof Comparable ca) {
      return ca.compareTo(b);
    }
    byte[] sa = ObjectDataType.serialize(a);
    byte[] sb = ObjectDataType.serialize(b);
    return ObjectDataType.compareNotNull(sa, sb);
  }
}
