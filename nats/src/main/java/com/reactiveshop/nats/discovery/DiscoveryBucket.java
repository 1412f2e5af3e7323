package com.reactiveshop.nats.discovery;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The JetStream KV bucket that holds discovery records: key = registration id, value = record JSON. Every method
 * blocks on the network (jnats KV is synchronous), so callers run them on worker threads, never on an event loop.
 */
final class DiscoveryBucket {

  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryBucket.class);
  /** JetStream's "stream not found" API error code. */
  private static final int STREAM_NOT_FOUND = 10059;
  private static final Pattern VALID_KEY = Pattern.compile("[-/_=.a-zA-Z0-9]+");
  private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(5);

  private final KeyValue kv;
  private final Duration ttl;

  private DiscoveryBucket(KeyValue kv, Duration ttl) {
    this.kv = kv;
    this.ttl = ttl;
  }

  /**
   * Opens the bucket, creating it when missing. Several processes may race to create it: the losers find it there
   * and use it as it is, so the TTL is whatever the first creator asked for.
   */
  static DiscoveryBucket open(Connection connection, String name, Duration ttl)
      throws IOException, JetStreamApiException {
    KeyValueManagement management = connection.keyValueManagement();
    KeyValueStatus status;
    try {
      status = management.getStatus(name);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
        throw e;
      }
      status = create(management, name, ttl);
    }
    Duration bucketTtl = status.getTtl();
    if (bucketTtl == null || bucketTtl.isZero()) {
      LOG.warn("Discovery bucket '{}' has no max age: records of dead processes will not expire", name);
      bucketTtl = ttl;
    } else if (!bucketTtl.equals(ttl)) {
      LOG.info("Discovery bucket '{}' already exists with TTL {} (asked {}); using it", name, bucketTtl, ttl);
    }
    return new DiscoveryBucket(connection.keyValue(name), bucketTtl);
  }

  private static KeyValueStatus create(KeyValueManagement management, String name, Duration ttl)
      throws IOException, JetStreamApiException {
    KeyValueConfiguration config = KeyValueConfiguration.builder()
        .name(name)
        .description("Vert.x service discovery records (reactive-shop)")
        .maxHistoryPerKey(1)
        .ttl(ttl)
        .storageType(StorageType.File)
        .build();
    try {
      KeyValueStatus created = management.create(config);
      // Creating with an identical configuration succeeds, so a process racing us may log this too.
      LOG.info("Created discovery bucket '{}' (record TTL {})", name, ttl);
      return created;
    } catch (JetStreamApiException e) {
      // Another process created it between our lookup and our create: use theirs.
      try {
        return management.getStatus(name);
      } catch (JetStreamApiException again) {
        e.addSuppressed(again);
        throw e;
      }
    }
  }

  /** The bucket's max age: a record not re-put within it disappears. */
  Duration ttl() {
    return ttl;
  }

  static boolean isValidKey(String key) {
    return key != null && VALID_KEY.matcher(key).matches();
  }

  void put(String key, byte[] value) throws IOException, JetStreamApiException {
    kv.put(key, value);
  }

  /** The current value, or null when the key is missing, deleted, purged or expired. */
  byte[] get(String key) throws IOException, JetStreamApiException {
    KeyValueEntry entry = kv.get(key);
    return entry == null || entry.getOperation() != KeyValueOperation.PUT ? null : entry.getValue();
  }

  /** Leaves a delete marker, which ages out with the bucket's max age like any record. */
  void delete(String key) throws IOException, JetStreamApiException {
    kv.delete(key);
  }

  /**
   * The current value of every live key, read in one pass: a watch delivers the last entry per key, skipping
   * deleted and purged ones, then signals the end of the existing data.
   */
  Map<String, byte[]> snapshot() throws IOException, JetStreamApiException, InterruptedException {
    Map<String, KeyValueEntry> latest = new LinkedHashMap<>();
    CompletableFuture<Void> endOfData = new CompletableFuture<>();
    KeyValueWatcher watcher = new KeyValueWatcher() {
      @Override
      public void watch(KeyValueEntry entry) {
        synchronized (latest) {
          KeyValueEntry known = latest.get(entry.getKey());
          if (known == null || known.getRevision() < entry.getRevision()) {
            latest.put(entry.getKey(), entry);
          }
        }
      }

      @Override
      public void endOfData() {
        endOfData.complete(null);
      }
    };
    NatsKeyValueWatchSubscription subscription = kv.watchAll(watcher, KeyValueWatchOption.IGNORE_DELETE);
    try {
      endOfData.get(SNAPSHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("Reading discovery bucket '" + kv.getBucketName() + "' timed out", e);
    } finally {
      subscription.unsubscribe();
    }
    Map<String, byte[]> values = new LinkedHashMap<>();
    synchronized (latest) {
      new ArrayList<>(latest.values()).forEach(entry -> values.put(entry.getKey(), entry.getValue()));
    }
    return values;
  }

  String name() {
    return kv.getBucketName();
  }
}
