package com.reactiveshop.embedded;

import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The MVStore file's compaction, on a thread of its own, for a store opened without H2's background writer (see
 * {@link DurableH2Backend}: with the writer, every commit is handed to two H2 executor threads and waited for).
 *
 * <p>Each commit writes a new chunk; a chunk whose pages have all been written again later is freed once it is older
 * than the store's retention time, and its space is reused. A chunk that keeps a few live pages (a full leaf of an
 * append-only collection) would keep all its space for good, so once a second this copies the live pages of the least
 * filled old chunks forward ({@link MVStore#compact}, at most {@link #WRITE_BYTES} a round, while the live share of
 * the chunks is under {@link #TARGET_FILL_RATE} %), then commits that, as H2's background writer does. The file never
 * shrinks (measured: not when the server stops either); its free space is reused.
 */
final class FileHousekeeping implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FileHousekeeping.class);

  /** H2's own default ({@code autoCompactFillRate}). */
  static final int TARGET_FILL_RATE = 90;
  /** Live data copied forward per round at most: H2's default auto-commit buffer. */
  static final int WRITE_BYTES = 1024 * 1024;
  static final long INTERVAL_MS = 1000;

  private final MVStore store;
  private final Runnable commit;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread t = new Thread(task, "mongo-file-housekeeping");
    t.setDaemon(true);
    return t;
  });

  /** {@code commit}: makes what a round copied durable, the way every write is (it may throw). Not started. */
  FileHousekeeping(MVStore store, Runnable commit) {
    this.store = store;
    this.commit = commit;
  }

  /** Runs a round every {@link #INTERVAL_MS} until {@link #close()}. */
  static FileHousekeeping start(MVStore store, Runnable commit) {
    FileHousekeeping housekeeping = new FileHousekeeping(store, commit);
    housekeeping.thread.scheduleWithFixedDelay(housekeeping::round, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    return housekeeping;
  }

  /** One round: true when it copied something forward (and committed it). */
  boolean round() {
    try {
      if (store.isClosed() || !store.compact(TARGET_FILL_RATE, WRITE_BYTES)) {
        return false;
      }
      commit.run();
      return true;
    } catch (RuntimeException e) {
      // The next round tries again; a store that failed for good fails its client writes too.
      if (!store.isClosed()) {
        log.warn("MVStore compaction failed: {}", e.toString());
      }
      return false;
    }
  }

  /** Stops the rounds, waiting for one in progress, before the store closes. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("MVStore compaction still running after 10 s; closing the store anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
