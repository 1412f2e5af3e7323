package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Where the documents and unique indexes of the H2 file live, in the {@link StoredValueCodec} format, and the one-time
 * move of maps written in an older format.
 *
 * <p>The library names a collection's data map {@code databases.<db>.<collection>} and an index's map
 * {@code <db>.<collection>._index_<index>}, and opens both with H2's default type (Java serialization, keys ordered by
 * their serialized bytes). An earlier version of this server kept unique indexes in {@code <index map>#ordered}
 * (Java-serialized keys in {@link IndexKeyOrder}). A map cannot be read with another type than it was written with,
 * so each compact map lives under its own name, {@code <library name>}{@value #SUFFIX}, and the entries of the older
 * maps of the same name are copied into it, after which the older map is removed. An older map still existing is what
 * says its copy is not done, so a copy interrupted by a crash (the store may have written part of it) is simply made
 * again at the next open, entry by entry over what is there. Data map names keep the library's {@code databases.}
 * prefix: that is how the library finds the databases of a file when it opens it.
 *
 * <p>A file written by this class is not readable by the stock library or by earlier versions of this server (they
 * would open empty maps under the old names): going back is not supported.
 */
final class CompactMaps {

  private static final Logger log = LoggerFactory.getLogger(CompactMaps.class);

  /** Appended to the library's map name. */
  static final String SUFFIX = "#compact";

  /** Appended to the library's name of a unique index map by the earlier version of this server. */
  static final String ORDERED_SUFFIX = "#ordered";

  private CompactMaps() {
  }

  /** Opens (or creates) the data map of the collection whose map the library calls {@code libraryName}. */
  static MVMap<Object, Document> openData(MVStore store, String libraryName) {
    MVMap<Object, Document> compact = store.openMap(libraryName + SUFFIX, new MVMap.Builder<Object, Document>()
        .keyType(StoredValueType.INSTANCE).valueType(StoredValueType.INSTANCE));
    if (store.hasMap(libraryName)) {
      moveEntries(store, store.<Object, Document>openMap(libraryName), compact);
    }
    return compact;
  }

  /** Opens (or creates) the map of the unique index the library calls {@code libraryName}, moving old entries in. */
  static MVMap<KeyValue, Object> openUniqueIndex(MVStore store, String libraryName) {
    MVMap<KeyValue, Object> compact = store.openMap(libraryName + SUFFIX, new MVMap.Builder<KeyValue, Object>()
        .keyType(KeyValueType.compact()).valueType(StoredValueType.INSTANCE));
    if (store.hasMap(libraryName + ORDERED_SUFFIX)) {
      moveEntries(store, store.openMap(libraryName + ORDERED_SUFFIX,
          new MVMap.Builder<KeyValue, Object>().keyType(KeyValueType.javaSerialized())), compact);
    }
    if (store.hasMap(libraryName)) {
      moveEntries(store, store.<KeyValue, Object>openMap(libraryName), compact);
    }
    return compact;
  }

  /** Removes the compact map of a data map or index the library removes (it removes its own). */
  static void remove(MVStore store, String libraryName) {
    store.removeMap(libraryName + SUFFIX);
  }

  /** Renames the compact data map along with the library's. */
  static void rename(MVStore store, String libraryName, String newLibraryName) {
    store.renameMap(store.openMap(libraryName + SUFFIX, new MVMap.Builder<Object, Document>()
        .keyType(StoredValueType.INSTANCE).valueType(StoredValueType.INSTANCE)), newLibraryName + SUFFIX);
  }

  private static <K, V> void moveEntries(MVStore store, MVMap<K, V> old, MVMap<K, V> compact) {
    long start = System.nanoTime();
    long before = compact.sizeAsLong();
    for (Map.Entry<K, V> entry : old.entrySet()) {
      compact.put(entry.getKey(), entry.getValue()); // the same entry again when an earlier copy was interrupted
    }
    if (compact.sizeAsLong() < old.sizeAsLong()) {
      // Only possible if the library stored keys it had not normalized: two keys it kept apart are one key in
      // IndexKeyOrder. Refuse to go on rather than drop an entry; the old map is left as it was.
      throw new IllegalStateException("map '" + old.getName() + "' has " + old.sizeAsLong()
          + " keys but only " + compact.sizeAsLong() + " are distinct in the new key order; not converted");
    }
    long moved = old.sizeAsLong();
    String oldName = old.getName();
    store.removeMap(old);
    log.info("moved {} entries of map '{}' into '{}' ({} were there) in {} ms", moved, oldName,
        compact.getName(), before, (System.nanoTime() - start) / 1_000_000);
  }
}
