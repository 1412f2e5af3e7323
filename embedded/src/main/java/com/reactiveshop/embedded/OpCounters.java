package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.bson.Document;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the wire commands an {@link EmbeddedMongo} answers, for {@code serverStatus}: {@code opcounters} as mongod
 * reports it, and the non-standard {@code opcountersByCommand} with one count per command name, so a reader can leave
 * out heartbeats and handshakes (isMaster, hello, ping, buildInfo, serverStatus; the Java driver also sends
 * {@code getlasterror} once per new connection, to learn its connection id). Names are kept as the client sent them.
 * The legacy OP_QUERY {@code ping} is answered by the library's handler without reaching the backend: not counted.
 *
 * <p>One instance per EmbeddedMongo, handed to every backend it creates, so the counts survive stop()/restart().
 * Unlike mongod, which counts inserted documents and update/delete statements, this counts wire commands: one
 * {@code insert} command with 100 documents adds 1 to {@code insert}. {@code findAndModify} counts under
 * {@code command}, as in mongod.
 */
final class OpCounters {

  /** Beyond this many distinct names (only a misbehaving client sends that many) the rest is counted together. */
  private static final int MAX_NAMES = 256;
  private static final String OTHER_NAMES = "<other>";

  private final LongAdder insert = new LongAdder();
  private final LongAdder query = new LongAdder();
  private final LongAdder update = new LongAdder();
  private final LongAdder delete = new LongAdder();
  private final LongAdder getmore = new LongAdder();
  private final LongAdder command = new LongAdder();
  private final Map<String, LongAdder> byName = new ConcurrentHashMap<>();

  /** Counts one command, by its name as the client sent it. */
  void record(String name) {
    categoryOf(name).increment();
    LongAdder counter = byName.get(name);
    if (counter == null) {
      String key = byName.size() < MAX_NAMES ? name : OTHER_NAMES;
      counter = byName.computeIfAbsent(key, k -> new LongAdder());
    }
    counter.increment();
  }

  private LongAdder categoryOf(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "insert" -> insert;
      case "find" -> query;
      case "update" -> update;
      case "delete" -> delete;
      case "getmore" -> getmore;
      default -> command;
    };
  }

  static boolean isServerStatus(String name) {
    return name.equalsIgnoreCase("serverStatus");
  }

  /** Adds {@code opcounters} and {@code opcountersByCommand} (Long values, names sorted) to a serverStatus reply. */
  void appendTo(Document serverStatus) {
    serverStatus.put("opcounters", new Document()
        .append("insert", insert.sum())
        .append("query", query.sum())
        .append("update", update.sum())
        .append("delete", delete.sum())
        .append("getmore", getmore.sum())
        .append("command", command.sum()));
    Document byCommand = new Document();
    new TreeMap<>(byName).forEach((name, count) -> byCommand.put(name, count.sum()));
    serverStatus.put("opcountersByCommand", byCommand);
  }
}
