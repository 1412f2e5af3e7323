package com.reactiveshop.common.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interleavings the cache must get right, driven step by step: store reads and writes are promises the test
 * completes in the order it wants.
 */
class DocumentCacheTest {

  private static final String ID = "0123456789abcdef01234567";
  private final DocumentCache cache = DocumentCache.detached("test", new CacheSettings(60_000, 100));
  private final List<String> notices = new ArrayList<>();
  private final ChangePublisher publisher = (origin, id, tag) -> notices.add(id + "@" + tag);

  private static JsonObject version(int stock) {
    return new JsonObject().put("id", ID).put("stock", stock);
  }

  /** A store read that answers when the test says so. */
  private static final class PendingRead implements Function<String, Future<Optional<JsonObject>>> {
    final Promise<Optional<JsonObject>> answer = Promise.promise();
    int calls;

    @Override
    public Future<Optional<JsonObject>> apply(String id) {
      calls++;
      return answer.future();
    }
  }

  private static Function<String, Future<Optional<JsonObject>>> store(JsonObject document) {
    return id -> Future.succeededFuture(Optional.ofNullable(document));
  }

  private Integer cachedStock() {
    CachedDocument hit = cache.hit(ID);
    return hit == null ? null : hit.toJson().getInteger("stock");
  }

  @Test
  void aReadIsCachedAndServedUntilAWriteReplacesIt() {
    assertEquals(1, cache.get(ID, store(version(1))).result().orElseThrow().toJson().getInteger("stock"));
    assertEquals(1, cachedStock());
    DocumentCache.Write write = cache.write(ID, publisher);
    assertEquals(1, cachedStock(), "until the write is acknowledged, the document from before it is right");
    CachedDocument written = write.written(version(2));
    assertEquals(2, cachedStock());
    assertEquals(List.of(ID + "@" + written.tag()), notices);
  }

  @Test
  void aReadThatStartedBeforeAWriteNeverPutsItsOlderDocumentAfterIt() {
    PendingRead read = new PendingRead();
    Future<Optional<CachedDocument>> before = cache.miss(ID, read);
    cache.write(ID, publisher).written(version(2));
    read.answer.complete(Optional.of(version(1)));
    assertEquals(1, before.result().orElseThrow().toJson().getInteger("stock"), "the read itself answers what it read");
    assertEquals(2, cachedStock(), "but it does not replace the newer document");
  }

  @Test
  void aReadThatEndsWhileAWriteIsInFlightPutsNothing() {
    PendingRead read = new PendingRead();
    cache.miss(ID, read);
    DocumentCache.Write write = cache.write(ID, publisher);
    read.answer.complete(Optional.of(version(1)));
    assertNull(cachedStock());
    write.written(version(2));
    assertEquals(2, cachedStock());
  }

  @Test
  void overlappingWritesAcknowledgedOutOfOrderLeaveNothingStale() {
    DocumentCache.Write first = cache.write(ID, publisher);
    DocumentCache.Write second = cache.write(ID, publisher);
    second.written(version(2));
    // The store may have applied the first write before or after the second: its document cannot be trusted over
    // the second one's, nor the second one's over it.
    first.written(version(1));
    assertNull(cachedStock());
    assertEquals(3, cache.get(ID, store(version(3))).result().orElseThrow().toJson().getInteger("stock"));
    assertEquals(3, cachedStock());
  }

  @Test
  void aWriteThatFailedOrDeletedDropsTheDocumentEverywhere() {
    cache.write(ID, publisher).written(version(1));
    cache.write(ID, publisher).dropped();
    assertNull(cachedStock());
    cache.write(ID, publisher).written(version(2));
    cache.changed(ID, publisher);
    assertNull(cachedStock());
    assertEquals(ID + "@null", notices.get(1));
    assertEquals(ID + "@null", notices.get(3));
  }

  @Test
  void aNoticeFromElsewhereDropsTheDocumentAndAnyReadInFlight() {
    PendingRead read = new PendingRead();
    cache.miss(ID, read);
    cache.changedElsewhere(ID, "someothertag");
    read.answer.complete(Optional.of(version(1)));
    assertNull(cachedStock(), "the read may have seen the store before the other process's change");

    CachedDocument current = cache.write(ID, publisher).written(version(2));
    cache.changedElsewhere(ID, current.tag());
    assertEquals(2, cachedStock(), "a notice of the very state already cached costs nothing");
    cache.changedElsewhere(ID, "someothertag");
    assertNull(cachedStock());
    cache.write(ID, publisher).written(version(3));
    cache.changedElsewhere(ID, null);
    assertNull(cachedStock(), "deleted or unknown elsewhere");
  }

  @Test
  void aFailedOrEmptyReadLeavesNothingBehind() {
    PendingRead failing = new PendingRead();
    cache.miss(ID, failing);
    failing.answer.fail("store down");
    assertNull(cachedStock());
    assertTrue(cache.get(ID, store(null)).result().isEmpty());
    assertNull(cachedStock(), "absence is not cached");
    assertNotNull(cache.get(ID, store(version(4))).result().orElseThrow());
    assertEquals(4, cachedStock());
  }

  @Test
  void turnedOffItCachesNothingButStillAnnounces() {
    DocumentCache off = DocumentCache.detached("off", CacheSettings.OFF);
    off.write(ID, publisher).written(version(1));
    assertNull(off.hit(ID));
    PendingRead read = new PendingRead();
    off.get(ID, read);
    off.get(ID, read);
    assertEquals(2, read.calls);
    assertEquals(1, notices.size());
  }

  @Test
  void documentsExpire() throws InterruptedException {
    DocumentCache shortLived = DocumentCache.detached("short", new CacheSettings(50, 100));
    shortLived.write(ID, publisher).written(version(1));
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (shortLived.hit(ID) != null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertNull(shortLived.hit(ID));
  }

  @Test
  void aWriteInFlightDoesNotKeepTheDocumentBeforeItPastItsExpiry() throws InterruptedException {
    DocumentCache shortLived = DocumentCache.detached("short", new CacheSettings(200, 100));
    shortLived.write(ID, publisher).written(version(1));
    shortLived.write(ID, publisher); // never acknowledged
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (shortLived.hit(ID) != null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertNull(shortLived.hit(ID));
  }
}
