package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The H2 (MVStore file) backend, made so that a write it acknowledges survives a {@code kill -9} of the process, and
 * counting the commands it answers into {@link OpCounters}.
 *
 * <p><b>Why:</b> {@code MVStore.open(file)} keeps changes in memory and writes them from a background thread about
 * once a second, while mongo-java-server answers a write as soon as the maps are changed. A process killed in between
 * lost writes its clients had been told were done (stock decrements gone while the orders that depended on them were
 * in PostgreSQL). Here every write command (see {@link WriteCommands}) commits the MVStore after it ran and before its
 * reply is returned; concurrent writes share one commit ({@link FileGroupCommit}), so the cost under load is one file
 * write per batch, not per write. Reads never commit.
 *
 * <p><b>What this guarantees:</b> the commit writes the changes into the file, that is into the operating system's
 * page cache, without {@code fsync}. That survives the death of the process (kill -9, OOM kill, a crash of the JVM),
 * which is what this is for, but NOT a power loss or a kernel crash: for that {@link MVStore#sync()} would have to run
 * after each commit, at the cost of a disk flush per batch.
 *
 * <p><b>The hook:</b> mongo-java-server 1.47.0 handles commands synchronously on its Netty worker threads and has no
 * asynchronous variant: {@code MongoDatabaseHandler} calls {@code backend.handleMessage} (OP_MSG, which calls
 * {@link #handleCommand}) or, for legacy OP_QUERY, {@code backend.handleCommand}, {@code backend.handleQuery} or
 * {@code backend.getServerStatus} (serverStatus) directly, then writes whatever is returned to the channel. So
 * {@link #handleCommand} sees every command once (the other two are overridden for counting only: neither writes),
 * and returning from it only after the commit means the reply leaves only after the commit. The wait blocks that
 * worker thread and the other connections Netty pinned to it, which is why {@link EmbeddedMongo} gives a file server
 * more worker threads. The legacy OP_QUERY {@code ping} is answered by the handler itself and is not counted.
 *
 * <p><b>No background writer.</b> MVStore's background writer (an auto-commit delay above 0) also makes H2 create a
 * serialization and a save executor, and every commit, ours included, is then handed to those two threads and waited
 * for: two thread hand-offs per durable write, on 2 cores. Without it a commit serializes and writes on the calling
 * thread; the writer's other job, compacting the file, is done by {@link FileHousekeeping}. (Measured with the whole
 * system, 3 alternating pairs of 15 s of orders with 64 connections after 60 s of warm-up: 2,274 to 2,435 orders/s and
 * 0.40 to 0.46 ms of JVM CPU per order, against 2,089 to 2,232 and 0.45 to 0.49 with the writer.)
 *
 * <p><b>Cheaper per operation than the stock H2Backend(file)</b>:
 * <ul>
 *   <li>The MVStore is opened here, with the library's settings (no compression, default page split) except that
 *       auto-commit is off (see above) and the page cache is {@link #CACHE_SIZE_MB}: every cache miss
 *       deserializes a whole page of documents, and every page held is heap the garbage collector copies.</li>
 *   <li>Documents, ids and unique index keys are written in a compact format ({@link StoredValueCodec}) instead of
 *       H2's Java serialization, which with a commit per write batch (every changed page written whole) was most of
 *       the server's CPU under load.</li>
 *   <li>Unique indexes (the {@code _id} index of every collection, and unique secondary ones) compare keys with
 *       {@link IndexKeyOrder} instead of Java-serializing both keys on every comparison.</li>
 *   <li>Those maps have names of their own; the maps of a file written by the stock library or an earlier version of
 *       this server are moved into them once, at open (see {@link CompactMaps}).</li>
 * </ul>
 */
final class DurableH2Backend extends H2Backend {

  private static final Logger log = LoggerFactory.getLogger(DurableH2Backend.class);

  /** The library's (H2Database's) prefixes of a collection's data and meta map names. */
  private static final String DATA_PREFIX = "databases.";
  private static final String META_PREFIX = "meta.";

  private final OpCounters counters;
  private final FileGroupCommit groupCommit;
  private final FileHousekeeping housekeeping;

  /** Opens (or creates) the file; maps in an older format are converted on the way (see {@link CompactMaps}). */
  static DurableH2Backend open(Path file, OpCounters counters) {
    log.info("opening MVStore in '{}' with a {} MB page cache", file, CACHE_SIZE_MB);
    MVStore store = new MVStore.Builder()
        .fileName(file.toString())
        .cacheSize(CACHE_SIZE_MB)
        // no background writer (see the class comment); also, while the databases are opened, older maps are
        // converted, and only this thread's commits may store one halfway (see CompactMaps)
        .autoCommitDisabled()
        .open();
    try {
      return new DurableH2Backend(store, counters);
    } catch (RuntimeException | Error e) {
      store.closeImmediately(); // releases the file lock and stores nothing of what was done before the failure
      throw e;
    }
  }

  private DurableH2Backend(MVStore store, OpCounters counters) {
    super(store); // opens every database in the file, through openOrCreateDatabase below
    store.commit(); // the converted maps, in one go
    this.counters = counters;
    this.groupCommit = new FileGroupCommit(this::commitToFile);
    // Straight to the file, not through groupCommit: its counters (serverStatus.groupCommit) are the clients' writes.
    this.housekeeping = FileHousekeeping.start(store, this::commitToFile);
  }

  @Override
  public void close() {
    housekeeping.close(); // no compaction round may run into a closing store
    super.close();
  }

  /**
   * MVStore's page cache in MB, whatever the heap (H2's own default is 16).
   *
   * <p>The cache holds deserialized pages, weighed by H2's estimate of their heap size: about 1.3 KB per small order
   * document in the data map plus 0.3 KB per {@code _id} index entry. Every page a commit writes goes into it, so under
   * a write load it is also where most objects that outlive a young collection come from, and the young collections'
   * pauses are the order path's tail:
   * <ul>
   *   <li>256 MB: 50 to 70 MB survived each young collection at 800 orders/s and G1's pauses were 50 to 70 ms
   *   (median). 48 MB: 27 to 33 ms; the open-loop p99 at 800/s was 53 and 76 ms against 139 and 999 ms.</li>
   *   <li>48 MB against 16 MB, two alternating pairs, each after 45 s of orders with 64 connections and 17 s at
   *   900/s: 15 s at 900/s had G1 pause medians of 21 and 29 ms against 15 and 15 ms, and p99 143 and 74 ms against
   *   72 and 66 ms.</li>
   *   <li>16 MB against 4 MB, four alternating pairs, each after 45 s of orders with 64 connections, then 20 s at
   *   500/s: G1 pause medians of 15 to 22 ms against 9 to 14 ms, 171 to 250 ms of pauses against 131 to 153 ms, p99
   *   73 to 227 ms against 64 to 94 ms (better in three pairs of four). With 64 connections (three pairs, 20 s) the
   *   4 MB cache cost nothing: 1,883 to 2,116 orders/s and 0.47 to 0.60 ms of JVM CPU per order against 1,875 to
   *   2,114 and 0.49 to 0.59.</li>
   * </ul>
   * A larger cache paid off only while order ids were random (every insert then needed a random leaf page of the
   * reservations collection); time-ordered ids append to the last one, and the products are a few pages. The services
   * read through caches of their own ({@code DocumentCache}), so what misses here is mostly an old reservation record.
   */
  static final int CACHE_SIZE_MB = 4;

  @Override
  protected MongoDatabase openOrCreateDatabase(String databaseName) {
    return new OrderedIndexDatabase(databaseName);
  }

  @Override
  public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
    if (OpCounters.isServerStatus(command)) {
      return getServerStatus(); // counted there
    }
    counters.record(command);
    if (!WriteCommands.isWrite(command, query)) {
      return super.handleCommand(channel, databaseName, command, query);
    }
    Document reply;
    try {
      reply = super.handleCommand(channel, databaseName, command, query);
    } catch (RuntimeException failed) {
      // A failed write may still have changed data (an insert batch stopped at a duplicate key): make it durable
      // too, so that what the client may have observed does not roll back in a crash.
      try {
        groupCommit.awaitDurable();
      } catch (RuntimeException commitFailed) {
        failed.addSuppressed(commitFailed);
      }
      throw failed;
    }
    groupCommit.awaitDurable();
    return reply;
  }

  @Override
  public Document getServerStatus() {
    counters.record("serverStatus");
    Document status = super.getServerStatus();
    counters.appendTo(status);
    status.put("groupCommit", new Document()
        .append("writes", groupCommit.requests())
        .append("commits", groupCommit.commits())
        .append("commitMillis", groupCommit.commitMillis()));
    return status;
  }

  @Override
  public QueryResult handleQuery(MongoQuery query) {
    counters.record("find"); // a legacy OP_QUERY on a collection: mongod counts it as a query
    return super.handleQuery(query);
  }

  private void commitToFile() {
    MVStore store = getMvStore();
    if (store.commit() < 0) {
      // Nothing left to store: another commit took our changes. Commits write on the calling thread under H2's
      // store lock, so it has finished; this waits for any store operation H2 may still run, and throws if the
      // store has been closed, rather than acknowledging a write that went nowhere.
      store.executeFilestoreOperation(() -> { });
    }
  }

  /**
   * The library's H2 database with documents and unique indexes in {@link CompactMaps}. An inner class on purpose: the
   * library opens a database's existing collections and indexes from inside the H2Database constructor, before a
   * subclass could have set a field of its own, so the store is read from the enclosing backend (whose reference an
   * inner class has from the start, and whose store is set before the library opens any database).
   */
  private final class OrderedIndexDatabase extends H2Database {

    OrderedIndexDatabase(String databaseName) {
      super(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
      String fullName = getFullCollectionNamespace(collectionName);
      MVMap<Object, Document> dataMap = CompactMaps.openData(getMvStore(), DATA_PREFIX + fullName);
      MVMap<String, Object> metaMap = getMvStore().openMap(META_PREFIX + fullName); // a counter: H2's default is fine
      return new H2Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    public void dropCollection(String collectionName, Oplog oplog) {
      super.dropCollection(collectionName, oplog); // also the meta map, and the library's data map if still there
      CompactMaps.remove(getMvStore(), DATA_PREFIX + getFullCollectionNamespace(collectionName));
    }

    @Override
    public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection, String newCollectionName) {
      String oldMap = DATA_PREFIX + collection.getFullName();
      String newMap = DATA_PREFIX + getFullCollectionNamespace(newCollectionName);
      super.moveCollection(oldDatabase, collection, newCollectionName); // the meta map; an empty library data map
      getMvStore().removeMap(newMap); // that empty map the library renamed (it opened it, which created it)
      CompactMaps.rename(getMvStore(), oldMap, newMap);
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                    boolean sparse) {
      return new MapUniqueIndex(CompactMaps.openUniqueIndex(getMvStore(), indexMapName(collectionName, indexName)),
          indexName, keys, sparse);
    }

    @Override
    protected void dropIndex(MongoCollection<Object> collection, String indexName) {
      super.dropIndex(collection, indexName); // also removes the library's map of that name, if there still is one
      CompactMaps.remove(getMvStore(), indexMapName(collection.getCollectionName(), indexName));
    }

    /** The name H2Database gives the map of an index. */
    private String indexMapName(String collectionName, String indexName) {
      return getFullCollectionNamespace(collectionName) + "._index_" + indexName;
    }
  }
}
