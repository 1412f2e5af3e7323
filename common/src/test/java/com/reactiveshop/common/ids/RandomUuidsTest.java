package com.reactiveshop.common.ids;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomUuidsTest {

  @Test
  void idsAreVersion4Variant2AndParseBack() {
    for (int i = 0; i < 1000; i++) {
      UUID id = RandomUuids.next();
      assertEquals(4, id.version());
      assertEquals(2, id.variant());
      assertEquals(id, UUID.fromString(id.toString()));
    }
  }

  @Test
  void idsFromManyThreadsAreAllDistinct() throws Exception {
    Set<UUID> seen = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      Future<?>[] runs = new Future<?>[8];
      for (int t = 0; t < runs.length; t++) {
        runs[t] = threads.submit(() -> {
          for (int i = 0; i < 50_000; i++) {
            seen.add(RandomUuids.next());
          }
        });
      }
      for (Future<?> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertEquals(8 * 50_000, seen.size());
    assertTrue(seen.stream().allMatch(id -> id.version() == 4));
  }
}
