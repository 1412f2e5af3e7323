package com.reactiveshop.embedded;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An acknowledged write survives a kill -9 of the process that acknowledged it: the H2 file is served by a child JVM,
 * written to through the real driver from several threads, the child is SIGKILLed right after the last
 * acknowledgement, and the file reopened must hold every acknowledged write. (Before the group commit, MVStore wrote
 * about once a second in the background, so the last second of acknowledged writes was lost.)
 */
class DurableWritesTest {

  private static final int THREADS = 8;
  private static final int INCREMENTS_PER_THREAD = 250; // 2,000 in all
  private static final int INSERT_EVERY = 2; // and 1,000 inserts

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void everyAcknowledgedWriteSurvivesKill9(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mongo.mv");
    AtomicLong acknowledgedIncrements = new AtomicLong();
    Set<String> acknowledgedInserts = ConcurrentHashMap.newKeySet();
    Queue<String> childOutput = new ConcurrentLinkedQueue<>();

    Process child = startChild(file, childOutput);
    try {
      int port = awaitPort(child, childOutput);
      try (MongoClient client = MongoClients.create(settings(port))) {
        MongoCollection<Document> counters = client.getDatabase("durability").getCollection("counters");
        MongoCollection<Document> items = client.getDatabase("durability").getCollection("items");
        Await.one(counters.insertOne(new Document("_id", "counter").append("n", 0L)));

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
          List<Future<?>> writers = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            int thread = t;
            writers.add(pool.submit(() -> {
              for (int i = 0; i < INCREMENTS_PER_THREAD; i++) {
                Await.one(counters.updateOne(Filters.eq("_id", "counter"), Updates.inc("n", 1L)));
                acknowledgedIncrements.incrementAndGet();
                if (i % INSERT_EVERY == 0) {
                  String id = "item-" + thread + "-" + i;
                  Await.one(items.insertOne(new Document("_id", id).append("thread", thread)));
                  acknowledgedInserts.add(id);
                }
              }
              return null;
            }));
          }
          for (Future<?> writer : writers) {
            writer.get(120, TimeUnit.SECONDS);
          }
        } finally {
          pool.shutdownNow();
        }
        // right after the last acknowledgement, before the client even closes
        child.destroyForcibly();
        assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child did not die");
      }
    } finally {
      child.destroyForcibly();
    }
    assertEquals(THREADS * INCREMENTS_PER_THREAD, acknowledgedIncrements.get());

    try (EmbeddedMongo reopened = EmbeddedMongo.start(file, 0);
         MongoClient client = MongoClients.create(settings(reopened.port()))) {
      MongoCollection<Document> counters = client.getDatabase("durability").getCollection("counters");
      MongoCollection<Document> items = client.getDatabase("durability").getCollection("items");
      Document counter = Await.one(counters.find(Filters.eq("_id", "counter")).first());
      assertEquals(acknowledgedIncrements.get(), ((Number) counter.get("n")).longValue(),
          "acknowledged $inc lost");
      Set<String> found = new HashSet<>();
      for (Document item : Await.all(items.find())) {
        found.add(item.getString("_id"));
      }
      assertEquals(acknowledgedInserts, found, "acknowledged inserts lost");
    }
  }

  static MongoClientSettings settings(int port) {
    return MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + port))
        .retryWrites(false) // a retried $inc could count twice; nothing here should need a retry
        .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS))
        .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS))
        .applyToConnectionPoolSettings(b -> b.maxSize(THREADS * 2).maxWaitTime(20, TimeUnit.SECONDS))
        .build();
  }

  private static Process startChild(Path file, Queue<String> output) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        MongoChildMain.class.getName(), file.toString())
        .redirectErrorStream(true)
        .start();
    Thread drain = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = reader.readLine()) != null; ) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // the child died
      }
    }, "mongo-child-output");
    drain.setDaemon(true);
    drain.start();
    return child;
  }

  private static int awaitPort(Process child, Queue<String> output) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        if (line.startsWith("PORT ")) {
          return Integer.parseInt(line.substring(5).trim());
        }
      }
      if (!child.isAlive()) {
        throw new IllegalStateException("the child exited with " + child.exitValue() + ": " + output);
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the child printed no port within 60 s: " + output);
  }
}
