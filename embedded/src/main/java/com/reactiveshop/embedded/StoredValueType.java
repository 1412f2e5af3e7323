package com.reactiveshop.embedded;

import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;

/**
 * The key and value type of a collection's data map (document id to document) and the value type of a unique index
 * map (key to document id) in the H2 file: written with {@link StoredValueCodec}, keys ordered by
 * {@link IndexKeyOrder#compareValues} (MongoDB's order of values; the natural order of a collection is its ids'
 * order, as before for ObjectIds and strings).
 */
final class StoredValueType extends BasicDataType<Object> {

  static final StoredValueType INSTANCE = new StoredValueType();

  private StoredValueType() {
  }

  @Override
  public int compare(Object a, Object b) {
    return IndexKeyOrder.compareValues(a, b);
  }

  @Override
  public void write(WriteBuffer buff, Object value) {
    StoredValueCodec.write(buff, value);
  }

  @Override
  public Object read(ByteBuffer buff) {
    return StoredValueCodec.read(buff);
  }

  @Override
  public Object[] createStorage(int size) {
    return new Object[size];
  }

  @Override
  public int getMemory(Object value) {
    return estimate(value, 0);
  }

  /**
   * Bytes on the heap, roughly: H2 uses it to weigh pages in its cache and to decide when unsaved changes are worth an
   * early write, so it needs to be in proportion, not exact.
   */
  static int estimate(Object value, int depth) {
    if (value == null) {
      return 8;
    } else if (value instanceof String s) {
      return 48 + s.length() * 2; // Latin-1 strings take half, this errs on the large side
    } else if (value instanceof Number || value instanceof Boolean) {
      return 24;
    } else if (depth < 4 && value instanceof Map<?, ?> map) {
      int bytes = 64 + 48 * map.size();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        bytes += estimate(e.getKey(), depth + 1) + estimate(e.getValue(), depth + 1);
      }
      return bytes;
    } else if (depth < 4 && value instanceof Collection<?> list) {
      int bytes = 40 + 8 * list.size();
      for (Object element : list) {
        bytes += estimate(element, depth + 1);
      }
      return bytes;
    }
    return 64; // ObjectId (object + 12-byte array), Instant, UUID, BinData...: a small object or two
  }
}
