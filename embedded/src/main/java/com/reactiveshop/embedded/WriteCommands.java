package com.reactiveshop.embedded;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which wire commands change data, so the H2 backend commits after them (and only after them: reads never wait for
 * the disk). Names are matched without regard to case, as mongo-java-server dispatches them.
 */
final class WriteCommands {

  /**
   * Every data- or catalog-changing command mongo-java-server 1.47.0 handles, plus {@code bulkWrite} and
   * {@code collMod}, which it does not know yet (it answers them with an error; committing after them is harmless and
   * keeps a later library version safe).
   */
  private static final Set<String> WRITES = Set.of(
      "insert", "update", "delete", "findandmodify",
      "create", "createindexes", "drop", "dropdatabase", "dropindexes", "renamecollection",
      "bulkwrite", "collmod");

  private WriteCommands() {
  }

  /** {@code query} is the command document; needed for {@code aggregate}, which writes only with $out or $merge. */
  static boolean isWrite(String command, Map<String, Object> query) {
    String name = command.toLowerCase(Locale.ROOT);
    if (WRITES.contains(name)) {
      return true;
    }
    return name.equals("aggregate") && query != null && writesOutput(query.get("pipeline"));
  }

  private static boolean writesOutput(Object pipeline) {
    if (!(pipeline instanceof List<?> stages)) {
      return false;
    }
    for (Object stage : stages) {
      if (stage instanceof Map<?, ?> m && (m.containsKey("$out") || m.containsKey("$merge"))) {
        return true;
      }
    }
    return false;
  }
}
