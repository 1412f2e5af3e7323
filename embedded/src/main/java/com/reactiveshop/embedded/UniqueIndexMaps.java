package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Where the unique indexes of the H2 file live, and the one-time move of an index written by the stock library.
 *
 * <p>The library names an index's map {@code <db>.<collection>._index_<index>} and opens it with H2's default key
 * type, which orders keys by their serialized bytes. Reading such a tree with {@link KeyValueType}'s order would miss
 * keys (a B-tree search relies on the order it was built with), so the ordered index lives in a map of its own,
 * {@code <library name>}{@value #SUFFIX}, and the old map's entries are copied into it, after which the old map is
 * removed. The old map still existing is what says the copy is not done, so a copy interrupted by a crash (the
 * store may have written part of it) is simply made again at the next open, entry by entry over what is there.
 *
 * <p>A file written by this class is not readable by the stock library's unique indexes (they would open an empty map
 * under the old name): going back to the stock H2Backend is not supported.
 */
final class UniqueIndexMaps {

  private static final Logger log = LoggerFactory.getLogger(UniqueIndexMaps.class);

  /** Appended to the library's map name. */
  static final String SUFFIX = "#ordered";

  private UniqueIndexMaps() {
  }

  /** Opens (or creates) the ordered map of the index the library calls {@code libraryName}, moving old entries in. */
  static MVMap<KeyValue, Object> open(MVStore store, String libraryName) {
    MVMap<KeyValue, Object> ordered =
        store.openMap(libraryName + SUFFIX, new MVMap.Builder<KeyValue, Object>().keyType(new KeyValueType()));
    if (store.hasMap(libraryName)) {
      moveEntries(store, store.openMap(libraryName), ordered);
    }
    return ordered;
  }

  /** Removes the ordered map of an index (the library removes its own). */
  static void remove(MVStore store, String libraryName) {
    store.removeMap(libraryName + SUFFIX);
  }

  private static void moveEntries(MVStore store, MVMap<KeyValue, Object> old, MVMap<KeyValue, Object> ordered) {
    long start = System.nanoTime();
    long before = ordered.sizeAsLong();
    for (Map.Entry<KeyValue, Object> entry : old.entrySet()) {
      ordered.put(entry.getKey(), entry.getValue()); // the same entry again when an earlier copy was interrupted
    }
    if (ordered.sizeAsLong() < old.sizeAsLong()) {
      // Only possible if the library stored keys it had not normalized: two keys it kept apart are one key in
      // IndexKeyOrder. Refuse to go on rather than drop an index entry; the old map is left as it was.
      throw new IllegalStateException("unique index map '" + old.getName() + "' has " + old.sizeAsLong()
          + " keys but only " + ordered.sizeAsLong() + " are distinct in the new key order; not converted");
    }
    long moved = old.sizeAsLong();
    String oldName = old.getName();
    store.removeMap(old);
    log.info("moved {} entries of unique index map '{}' into '{}' ({} were there) in {} ms", moved, oldName,
        ordered.getName(), before, (System.nanoTime() - start) / 1_000_000);
  }
}
