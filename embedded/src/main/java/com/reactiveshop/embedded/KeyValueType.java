package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;

/**
 * The key type of a unique index's MVMap: keys are stored exactly as H2's default {@link ObjectDataType} stores them
 * (its own read and write, that is Java serialization of the {@link KeyValue}), but compared with
 * {@link IndexKeyOrder} instead of by serializing both keys on every comparison, and sized by a cheap estimate.
 *
 * <p>The default type compares two KeyValues (Serializable, not Comparable) by serializing each with an
 * ObjectOutputStream, on every step of every B-tree search: that was most of the CPU of the H2 server under load. The
 * bytes on disk are the same as before; only the order of the keys in the tree differs, which is why a map written
 * with the default order is copied into a new map rather than read with this one (see {@link UniqueIndexMaps}).
 */
final class KeyValueType extends BasicDataType<KeyValue> {

  /** H2's own serialization; one per map (its type cache is not shared then, as with a map opened by default). */
  private final ObjectDataType format = new ObjectDataType();

  @Override
  public int compare(KeyValue a, KeyValue b) {
    return IndexKeyOrder.INSTANCE.compare(a, b);
  }

  @Override
  public void write(WriteBuffer buff, KeyValue key) {
    format.write(buff, key);
  }

  @Override
  public KeyValue read(ByteBuffer buff) {
    return (KeyValue) format.read(buff);
  }

  @Override
  public KeyValue[] createStorage(int size) {
    return new KeyValue[size];
  }

  /**
   * Bytes on the heap, roughly: H2 uses it to weigh pages in its cache and to decide when unsaved changes are worth an
   * early write, so it needs to be in proportion, not exact.
   */
  @Override
  public int getMemory(KeyValue key) {
    int bytes = 64; // the KeyValue, its ArrayList and the array behind it
    for (Object value : key) {
      bytes += estimate(value, 0);
    }
    return bytes;
  }

  private static int estimate(Object value, int depth) {
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
