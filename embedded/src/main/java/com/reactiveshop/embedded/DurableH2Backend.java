package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import org.h2.mvstore.MVStore;

import java.nio.file.Path;

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
 * <p><b>MVStore's own background commit is left on</b> (its thread also compacts the file). Its commits do not wait for
 * the write (MVStore.tryCommit hands serialization to H2's executor threads), and when one has already taken our
 * changes, {@code commit()} finds nothing to store and returns before they are in the file; so in that case the store
 * is also flushed through {@link MVStore#executeFilestoreOperation}, which waits for every store operation already
 * handed to those threads.
 */
final class DurableH2Backend extends H2Backend {

  private final OpCounters counters;
  private final FileGroupCommit groupCommit;

  DurableH2Backend(Path file, OpCounters counters) {
    super(file.toString());
    this.counters = counters;
    this.groupCommit = new FileGroupCommit(this::commitToFile);
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
        .append("commits", groupCommit.commits()));
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
      // Nothing left to store: a background commit may have taken our changes and still be writing them on H2's
      // executor threads (see the class comment); wait for it. (When commit() did store, it waited for its own
      // write on those single-threaded, first-in-first-out executors, so for every earlier one too.) This also
      // throws if the store has been closed, rather than acknowledging a write that went nowhere.
      store.executeFilestoreOperation(() -> { });
    }
  }
}
