package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.ByteBuffer;

/**
 * The key type of a unique index's MVMap: keys compared with {@link IndexKeyOrder} and sized by a cheap estimate, and
 * written either with {@link StoredValueCodec} ({@link #compact()}, every map this server writes) or as H2's default
 * {@link ObjectDataType} writes them, that is Java serialization of the {@link KeyValue} ({@link #javaSerialized()},
 * only to read the maps an earlier version of this server wrote, see {@link CompactMaps}).
 *
 * <p>The default type compares two KeyValues (Serializable, not Comparable) by serializing each with an
 * ObjectOutputStream, on every step of every B-tree search: that was most of the CPU of the H2 server under load; and
 * it writes each key with a fresh ObjectOutputStream, which was the next largest part.
 */
abstract class KeyValueType extends BasicDataType<KeyValue> {

  static KeyValueType compact() {
    return new Compact();
  }

  static KeyValueType javaSerialized() {
    return new JavaSerialized();
  }

  @Override
  public int compare(KeyValue a, KeyValue b) {
    return IndexKeyOrder.INSTANCE.compare(a, b);
  }

  @Override
  public KeyValue[] createStorage(int size) {
    return new KeyValue[size];
  }

  @Override
  public int getMemory(KeyValue key) {
    int bytes = 64; // the KeyValue, its ArrayList and the array behind it
    for (Object value : key) {
      bytes += StoredValueType.estimate(value, 0);
    }
    return bytes;
  }

  private static final class Compact extends KeyValueType {
    @Override
    public void write(WriteBuffer buff, KeyValue key) {
      buff.putVarInt(key.size());
      for (Object value : key) {
        StoredValueCodec.write(buff, value);
      }
    }

    @Override
    public KeyValue read(ByteBuffer buff) {
      Object[] values = new Object[DataUtils.readVarInt(buff)];
      for (int i = 0; i < values.length; i++) {
        values[i] = StoredValueCodec.read(buff);
      }
      return new KeyValue(values);
    }
  }

  private static final class JavaSerialized extends KeyValueType {
    /** H2's own serialization; one per map (its type cache is not shared then, as with a map opened by default). */
    private final ObjectDataType format = new ObjectDataType();

    @Override
    public void write(WriteBuffer buff, KeyValue key) {
      format.write(buff, key);
    }

    @Override
    public KeyValue read(ByteBuffer buff) {
      return (KeyValue) format.read(buff);
    }
  }
}
