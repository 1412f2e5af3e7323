package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import org.h2.mvstore.MVMap;

import java.util.List;
import java.util.Map;

/**
 * A unique index kept in an MVMap from key to the document's position (its key in the collection's data map; Missing
 * stands for a null position, which an MVMap cannot hold). All the index logic is the library's
 * {@link AbstractUniqueIndex}; this only says where the entries live. The map is one opened by
 * {@link CompactMaps}.
 */
final class MapUniqueIndex extends AbstractUniqueIndex<Object> {

  private final MVMap<KeyValue, Object> entries;

  MapUniqueIndex(MVMap<KeyValue, Object> entries, String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.entries = entries;
  }

  @Override
  protected Object getPosition(KeyValue key) {
    return entries.get(key);
  }

  /** Adds the entry unless the key is taken; true when it was added. */
  @Override
  protected boolean putKeyPosition(KeyValue key, Object position) {
    return entries.putIfAbsent(key, Missing.ofNullable(position)) == null;
  }

  @Override
  protected Object removeDocument(KeyValue key) {
    return entries.remove(key);
  }

  @Override
  protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
    return entries.entrySet();
  }

  @Override
  public long getCount() {
    return entries.sizeAsLong();
  }

  @Override
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public long getDataSize() {
    return getCount(); // as the library's H2 index: it has no better measure
  }
}
