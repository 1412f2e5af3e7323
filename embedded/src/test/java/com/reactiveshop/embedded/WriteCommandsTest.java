package com.reactiveshop.embedded;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WriteCommandsTest {

  @Test
  void writesCommitReadsDoNot() {
    for (String write : List.of("insert", "update", "delete", "findAndModify", "findandmodify", "create",
        "createIndexes", "drop", "dropDatabase", "dropIndexes", "renameCollection")) {
      assertTrue(WriteCommands.isWrite(write, Map.of(write, "c")), write);
    }
    for (String read : List.of("find", "getMore", "count", "distinct", "listCollections", "listIndexes", "isMaster",
        "ping", "buildInfo", "serverStatus", "killCursors", "endSessions", "dbStats", "collStats")) {
      assertFalse(WriteCommands.isWrite(read, Map.of(read, "c")), read);
    }
  }

  @Test
  void aggregateWritesOnlyWithOutOrMerge() {
    assertFalse(WriteCommands.isWrite("aggregate", Map.of("aggregate", "c",
        "pipeline", List.of(Map.of("$match", Map.of()), Map.of("$group", Map.of("_id", "$x"))))));
    assertTrue(WriteCommands.isWrite("aggregate", Map.of("aggregate", "c",
        "pipeline", List.of(Map.of("$match", Map.of()), Map.of("$out", "d")))));
    assertTrue(WriteCommands.isWrite("aggregate", Map.of("aggregate", "c",
        "pipeline", List.of(Map.of("$merge", Map.of("into", "d"))))));
    assertFalse(WriteCommands.isWrite("aggregate", Map.of("aggregate", "c")));
  }
}
