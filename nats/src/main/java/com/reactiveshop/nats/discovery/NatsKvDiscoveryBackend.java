package com.reactiveshop.nats.discovery;

import com.reactiveshop.nats.NatsBridge;
import io.nats.client.Connection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.spi.ServiceDiscoveryBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Vert.x service discovery backend that keeps records in a NATS JetStream KV bucket, so every process connected to
 * the same NATS sees the same records. Select it with {@link NatsDiscovery#backendConfig()} after
 * {@link NatsDiscovery#register}.
 *
 * <p>The bucket has a max age (the record TTL). While this process lives it re-puts the records it stored every
 * TTL/3; a process that dies without unpublishing stops doing so and its records age out within one TTL. The
 * heartbeat timer belongs to the context that first stored a record (normally the publishing verticle's), so a
 * verticle undeployed without unpublishing also lets its records age out.
 *
 * <p>jnats KV calls block, so each one runs on a worker thread and its callback completes on the caller's context.
 * Only records whose status is UP are returned.
 */
public class NatsKvDiscoveryBackend implements ServiceDiscoveryBackend {

  private static final Logger LOG = LoggerFactory.getLogger(NatsKvDiscoveryBackend.class);
  private static final long MIN_HEARTBEAT_MS = 100;

  private Vertx vertx;
  private NatsBridge bridge;
  private String bucketName;
  private Duration requestedTtl;
  private final Object openLock = new Object();
  private volatile DiscoveryBucket bucket;
  /** The TTL of the bucket as found when it was opened (it may differ from the requested one). */
  private volatile Duration bucketTtl;

  /** Records this backend stored and keeps alive, by registration id. */
  private final Map<String, OwnedRecord> owned = new ConcurrentHashMap<>();
  private final AtomicBoolean heartbeatInFlight = new AtomicBoolean();
  /** Set while heartbeats fail, so an outage is logged once rather than every round. */
  private volatile boolean heartbeatFailing;
  private long heartbeatTimer = -1;

  /** A record this process keeps alive; its lock orders a heartbeat put against the final delete. */
  private static final class OwnedRecord {
    final String key;
    volatile byte[] value;
    boolean active = true;

    OwnedRecord(String key, byte[] value) {
      this.key = key;
      this.value = value;
    }
  }

  @Override
  public void init(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.bridge = NatsDiscovery.bridge(vertx);
    if (bridge == null) {
      throw new IllegalStateException("No NATS connection registered for this Vert.x instance: call "
          + "NatsDiscovery.register(vertx, bridge) before creating service discovery with " + name());
    }
    this.bucketName = config.getString(NatsDiscovery.BUCKET_KEY, NatsDiscovery.DEFAULT_BUCKET);
    this.requestedTtl = Duration.ofMillis(config.getLong(NatsDiscovery.TTL_KEY,
        NatsDiscovery.DEFAULT_TTL.toMillis()));
    // Open (or create) the bucket early so the first publish does not pay for it; failures are retried on use.
    vertx.executeBlocking(this::bucket, false)
        .onFailure(e -> LOG.warn("Discovery bucket '{}' not ready yet: {}", bucketName, e.toString()));
  }

  @Override
  public void store(Record record, Handler<AsyncResult<Record>> handler) {
    // DiscoveryImpl leaves the registration to the backend; one that is already set is kept as the key.
    String key = record.getRegistration() != null ? record.getRegistration() : UUID.randomUUID().toString();
    if (!DiscoveryBucket.isValidKey(key)) {
      handler.handle(Future.failedFuture(
          new IllegalArgumentException("Registration id '" + key + "' is not a valid KV key")));
      return;
    }
    record.setRegistration(key);
    OwnedRecord entry = new OwnedRecord(key, encode(record));
    blocking(() -> {
      DiscoveryBucket target = bucket();
      synchronized (entry) {
        target.put(key, entry.value);
        owned.put(key, entry);
      }
      return record;
    }, ar -> {
      if (ar.succeeded()) {
        startHeartbeat();
      }
      handler.handle(ar);
    });
  }

  @Override
  public void remove(Record record, Handler<AsyncResult<Record>> handler) {
    remove(record.getRegistration(), handler);
  }

  /** Stops the heartbeat of the record, then deletes its key; answers the record as it was. */
  @Override
  public void remove(String registration, Handler<AsyncResult<Record>> handler) {
    blocking(() -> {
      DiscoveryBucket target = bucket();
      OwnedRecord mine = owned.remove(registration);
      byte[] current = DiscoveryBucket.isValidKey(registration) ? target.get(registration) : null;
      if (mine != null) {
        synchronized (mine) {
          mine.active = false;
          target.delete(registration);
        }
      } else if (current != null) {
        target.delete(registration);
      }
      byte[] last = current != null ? current : mine != null ? mine.value : null;
      if (last == null) {
        throw new IllegalArgumentException("Record '" + registration + "' not found");
      }
      return decode(registration, last);
    }, ar -> {
      stopHeartbeatIfIdle();
      handler.handle(ar);
    });
  }

  @Override
  public void update(Record record, Handler<AsyncResult<Void>> handler) {
    String key = record.getRegistration();
    if (!DiscoveryBucket.isValidKey(key)) {
      handler.handle(Future.failedFuture(
          new IllegalArgumentException("Cannot update a record without a valid registration: " + key)));
      return;
    }
    byte[] value = encode(record);
    blocking(() -> {
      DiscoveryBucket target = bucket();
      OwnedRecord mine = owned.get(key);
      if (mine != null) {
        synchronized (mine) {
          mine.value = value;
          target.put(key, value);
        }
      } else {
        target.put(key, value);
      }
      return null;
    }, handler);
  }

  @Override
  public void getRecords(Handler<AsyncResult<List<Record>>> handler) {
    blocking(() -> {
      List<Record> records = new ArrayList<>();
      bucket().snapshot().forEach((key, value) -> {
        Record record = decodeOrSkip(key, value);
        if (record != null && record.getStatus() == Status.UP) {
          records.add(record);
        }
      });
      return records;
    }, handler);
  }

  @Override
  public void getRecord(String registration, Handler<AsyncResult<Record>> handler) {
    blocking(() -> {
      if (!DiscoveryBucket.isValidKey(registration)) {
        return null;
      }
      byte[] value = bucket().get(registration);
      Record record = value == null ? null : decodeOrSkip(registration, value);
      return record != null && record.getStatus() == Status.UP ? record : null;
    }, handler);
  }

  // --- heartbeat ---

  private synchronized void startHeartbeat() {
    if (heartbeatTimer >= 0 || owned.isEmpty()) {
      return;
    }
    long interval = Math.max(MIN_HEARTBEAT_MS, bucketTtl.toMillis() / 3);
    heartbeatTimer = vertx.setPeriodic(interval, id -> heartbeat());
  }

  private synchronized void stopHeartbeatIfIdle() {
    if (heartbeatTimer >= 0 && owned.isEmpty()) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
  }

  private synchronized void stopHeartbeat() {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
  }

  /** Re-puts every record this backend owns, so the bucket's max age does not remove them. */
  private void heartbeat() {
    if (bridge.connection().getStatus() == Connection.Status.CLOSED) {
      // The process is going away: its records must be allowed to age out.
      stopHeartbeat();
      return;
    }
    if (!heartbeatInFlight.compareAndSet(false, true)) {
      return; // the previous round is still waiting on NATS
    }
    vertx.executeBlocking(() -> {
      DiscoveryBucket target = bucket();
      for (OwnedRecord entry : owned.values()) {
        synchronized (entry) {
          if (entry.active) {
            target.put(entry.key, entry.value);
          }
        }
      }
      return null;
    }, false).onComplete(ar -> {
      heartbeatInFlight.set(false);
      if (ar.failed()) {
        if (!heartbeatFailing) {
          LOG.warn("Discovery heartbeat to bucket '{}' failed (records expire after {} without one): {}",
              bucketName, bucketTtl, ar.cause().toString());
          heartbeatFailing = true;
        }
        // The bucket may have been deleted (or the server lost its store): reopen, creating it again, next time.
        bucket = null;
      } else if (heartbeatFailing) {
        LOG.info("Discovery heartbeat to bucket '{}' works again", bucketName);
        heartbeatFailing = false;
      }
    });
  }

  // --- helpers ---

  /** The bucket, opened on first use; blocking, so only called on worker threads. */
  private DiscoveryBucket bucket() throws Exception {
    DiscoveryBucket current = bucket;
    if (current != null) {
      return current;
    }
    synchronized (openLock) {
      if (bucket == null) {
        DiscoveryBucket opened = DiscoveryBucket.open(bridge.connection(), bucketName, requestedTtl);
        bucketTtl = opened.ttl();
        bucket = opened;
      }
      return bucket;
    }
  }

  private <T> void blocking(Callable<T> work, Handler<AsyncResult<T>> handler) {
    // Called on the caller's context, so the result is delivered back on it.
    vertx.executeBlocking(work, false).onComplete(handler);
  }

  private static byte[] encode(Record record) {
    return record.toJson().toBuffer().getBytes();
  }

  private static Record decode(String key, byte[] value) {
    Record record = new Record(new JsonObject(Buffer.buffer(value)));
    return record.setRegistration(key);
  }

  private static Record decodeOrSkip(String key, byte[] value) {
    try {
      return decode(key, value);
    } catch (RuntimeException e) {
      LOG.warn("Skipping discovery entry '{}': not a record ({})", key, e.toString());
      return null;
    }
  }
}
