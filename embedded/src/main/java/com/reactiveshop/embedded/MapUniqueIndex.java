package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import org.h2.mvstore.MVMap;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A unique index kept in an MVMap from key to the document's position (its key in the collection's data map; Missing
 * stands for a null position, which an MVMap cannot hold). All the index logic is the library's
 * {@link AbstractUniqueIndex}; this only says where the entries live. The map is one opened by
 * {@link CompactMaps}.
 *
 * <p>One addition: the library uses an index only when the query names exactly the index's fields, so a filter such as
 * {@code {_id: x, stock: {$gte: 3}}} (a conditional update) scanned the whole collection. An equality on the only field
 * of a non-sparse index narrows any query to at most one document, whatever else it asks: this index then hands over
 * that position and the collection matches the whole query against that one document.
 */
final class MapUniqueIndex extends AbstractUniqueIndex<Object> {

  private final MVMap<KeyValue, Object> entries;

  MapUniqueIndex(MVMap<KeyValue, Object> entries, String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.entries = entries;
  }

  @Override
  public synchronized boolean canHandle(Document query) {
    return super.canHandle(query) || narrowsToOne(query);
  }

  @Override
  public synchronized Iterable<Object> getPositions(Document query) {
    if (query.keySet().equals(keySet())) {
      return super.getPositions(query);
    }
    String key = keys().get(0);
    return super.getPositions(new Document(key, query.get(key)));
  }

  /** A plain value for the single field of a non-sparse index, next to other conditions. */
  private boolean narrowsToOne(Document query) {
    if (isCompoundIndex() || isSparse() || query.size() < 2) {
      return false;
    }
    String key = keys().get(0);
    if (!query.containsKey(key)) {
      return false;
    }
    Object value = query.get(key);
    // Operators ({$gt: ..}), arrays (which also match documents holding them as an element) and regular expressions
    // match more than one key: leave those to the library.
    return value != null && !(value instanceof Document) && !(value instanceof Collection)
        && !BsonRegularExpression.isRegularExpression(value);
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
