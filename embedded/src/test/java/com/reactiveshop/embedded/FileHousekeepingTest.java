package com.reactiveshop.embedded;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compaction that replaces H2's background writer: chunks that keep a few live pages among many dead ones are
 * copied forward and committed, and what they held reads back the same after a reopen.
 */
class FileHousekeepingTest {

  @TempDir
  Path dir;

  private static MVStore open(Path file) {
    MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    store.setRetentionTime(0); // a chunk may be rewritten as soon as it is stored (H2 keeps it 45 s by default)
    return store;
  }

  /** The chunks the file's layout still lists (stored, not yet freed). */
  private static long liveChunks(MVStore store) {
    return store.getLayoutMap().keySet().stream().filter(key -> key.startsWith("chunk.")).count();
  }

  @Test
  void chunksMostlyDeadAreCopiedForwardAndCommittedAndTheirDataSurvives() {
    Path file = dir.resolve("data.mv");
    MVStore store = open(file);
    MVMap<Integer, String> appended = store.openMap("appended"); // leaves a live page in chunk after chunk
    MVMap<Integer, String> rewritten = store.openMap("rewritten"); // all dead by the next commit
    String pad = "x".repeat(400);
    for (int i = 0; i < 2_000; i++) {
      appended.put(i, "order " + i);
      for (int k = 0; k < 20; k++) {
        rewritten.put(k, pad + i);
      }
      store.commit();
    }
    long before = liveChunks(store);
    AtomicInteger commits = new AtomicInteger();
    FileHousekeeping housekeeping = new FileHousekeeping(store, () -> {
      commits.incrementAndGet();
      store.commit();
    });
    int rounds = 0;
    while (rounds < 200 && housekeeping.round()) {
      rounds++;
    }
    housekeeping.close();
    for (int i = 0; i < 10; i++) {
      // Later commits free the chunks that are dead by now, once no version kept (the last 5) refers to them.
      rewritten.put(0, "later " + i);
      store.commit();
    }
    long after = liveChunks(store);
    assertTrue(rounds > 0 && commits.get() == rounds, rounds + " rounds, " + commits + " commits");
    // Without compaction every chunk that still holds a page of "appended" stays: about one per leaf page of it.
    assertTrue(after * 4 < before, "chunks in the file: " + before + " before, " + after + " after");
    store.closeImmediately(); // as a kill -9 would: only what was committed counts

    MVStore reopened = open(file);
    MVMap<Integer, String> again = reopened.openMap("appended");
    assertEquals(2_000, again.size());
    assertEquals("order 1234", again.get(1234));
    assertEquals("x".repeat(400) + 1999, reopened.<Integer, String>openMap("rewritten").get(7));
    assertEquals("later 9", reopened.<Integer, String>openMap("rewritten").get(0));
    reopened.close();
  }

  @Test
  void aRoundOnAClosedStoreDoesNothing() {
    MVStore store = open(dir.resolve("closed.mv"));
    store.openMap("m").put(1, 1);
    store.commit();
    store.close();
    FileHousekeeping housekeeping = new FileHousekeeping(store, () -> {
      throw new AssertionError("nothing to commit");
    });
    assertFalse(housekeeping.round());
    housekeeping.close();
  }
}
