package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;

/**
 * The memory backend, counting the commands it answers into {@link OpCounters} (see {@link DurableH2Backend} for why
 * these three methods are the hooks). Nothing to make durable: the data lives and dies with the process.
 */
final class CountedMemoryBackend extends MemoryBackend {

  private final OpCounters counters;

  CountedMemoryBackend(OpCounters counters) {
    this.counters = counters;
  }

  @Override
  public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
    if (OpCounters.isServerStatus(command)) {
      return getServerStatus(); // counted there
    }
    counters.record(command);
    return super.handleCommand(channel, databaseName, command, query);
  }

  @Override
  public Document getServerStatus() {
    counters.record("serverStatus");
    Document status = super.getServerStatus();
    counters.appendTo(status);
    return status;
  }

  @Override
  public QueryResult handleQuery(MongoQuery query) {
    counters.record("find"); // a legacy OP_QUERY on a collection: mongod counts it as a query
    return super.handleQuery(query);
  }
}
