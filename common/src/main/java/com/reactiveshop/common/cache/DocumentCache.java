package com.reactiveshop.common.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Documents by id, kept in memory for a short time (Caffeine: bounded in size, each entry served at most
 * {@link CacheSettings#ttlMs()} after the store read or write that produced it). One per service and process, shared
 * by the verticle instances of that service ({@link #shared}); thread-safe.
 *
 * <p><b>Never stale after a local write.</b> An entry is one of three slots: a {@link CachedDocument}; a
 * {@link Loading} marker (a store read for a miss is in flight; concurrent misses on the same context join it); or a
 * {@link Writing} marker (a write is in flight; the document from before it is still served, which is right: the
 * write is not acknowledged yet). Every marker is a new object, compared by identity, so it can never be mistaken
 * for another (no ABA). The rules:
 * <ol>
 *   <li>An operation that wants to put a document (a read for a miss, a write that returns the new document)
 *   installs its marker <em>before</em> it starts its store command, and puts the document only by replacing that
 *   very marker (compare-and-set).</li>
 *   <li>When a write is acknowledged, or a notice from another process arrives, the entry is replaced by the new
 *   document (only if it still holds the write's own marker) or removed, whatever it holds.</li>
 * </ol>
 * Why a read that started before a write can never put its older document after the write: if its marker was
 * installed before the write was acknowledged, the write's completion replaced or removed it (rule 2), so the
 * compare-and-set fails. If its marker was installed after, its store command started after the acknowledgement and
 * sees the write. The same argument covers two overlapping writes of one document whose acknowledgements arrive out
 * of order (the later one finds a marker not its own and removes the entry) and a notice racing with a read.
 *
 * <p>Other processes learn of changes through {@link ChangePublisher} notices and drop their entry
 * ({@link #changedElsewhere}); a lost notice is bounded by the expiry.
 */
public final class DocumentCache {

  /** What an entry holds. */
  sealed interface Slot permits CachedDocument, Loading, Writing {
  }

  /** A store read for a miss is in flight on {@code context}. */
  static final class Loading implements Slot {
    final Context context;
    final Promise<Optional<CachedDocument>> result = Promise.promise();

    Loading(Context context) {
      this.context = context;
    }
  }

  /** A write is in flight; {@code previous} (possibly null) may still be served until it is acknowledged. */
  static final class Writing implements Slot {
    final CachedDocument previous;

    Writing(CachedDocument previous) {
      this.previous = previous;
    }
  }

  private final String name;
  private final long ttlNanos;
  private final String origin = UUID.randomUUID().toString();
  private final CacheMetrics metrics;
  /** Null when caching is off. */
  private final Cache<String, Slot> cache;
  private final ConcurrentMap<String, Slot> slots;

  private DocumentCache(String name, CacheSettings settings, MeterRegistry registry) {
    this.name = name;
    this.ttlNanos = TimeUnit.MILLISECONDS.toNanos(settings.ttlMs());
    this.metrics = new CacheMetrics(name, registry);
    if (!settings.enabled()) {
      this.cache = null;
      this.slots = null;
      return;
    }
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.maxEntries())
        .expireAfter(new Lifetimes(ttlNanos))
        // Housekeeping runs on the calling thread (an event loop, briefly), not on the common fork-join pool.
        .executor(Runnable::run)
        .<String, Slot>evictionListener((id, slot, cause) -> {
          if (slot instanceof CachedDocument) {
            metrics.evicted(cause);
          }
        })
        .build();
    this.slots = cache.asMap();
    metrics.watchSize(name, cache);
  }

  /** A cache of its own, shared with nobody and without metrics (for tools and tests). */
  public static DocumentCache detached(String name, CacheSettings settings) {
    return new DocumentCache(name, settings, null);
  }

  /** The cache {@code name} of this process: see {@link SharedDocumentCaches}. */
  public static DocumentCache shared(Vertx vertx, String name, CacheSettings settings) {
    return SharedDocumentCaches.acquire(vertx, name,
        () -> new DocumentCache(name, settings, BackendRegistries.getDefaultNow()));
  }

  /** Gives back one {@link #shared} reference; the last one empties the cache. */
  public void release(Vertx vertx) {
    SharedDocumentCaches.release(vertx, name, this);
  }

  /** Empties the cache and removes its size gauge (its last user is gone). */
  void close() {
    clear();
    metrics.close();
  }

  /** Identifies this cache (this process) in change notices, so it can skip its own. */
  public String origin() {
    return origin;
  }

  public long ttlNanos() {
    return ttlNanos;
  }

  /** The cached document, counted as a hit; null (not counted) when the caller must go to {@link #miss}. */
  public CachedDocument hit(String id) {
    if (slots == null) {
      return null;
    }
    Slot slot = slots.get(id);
    CachedDocument document = slot instanceof CachedDocument cached ? cached
        : slot instanceof Writing writing ? writing.previous : null;
    if (document != null) {
      metrics.hit();
    }
    return document;
  }

  /** {@link #hit} or {@link #miss}. */
  public Future<Optional<CachedDocument>> get(String id, Function<String, Future<Optional<JsonObject>>> load) {
    CachedDocument document = hit(id);
    return document != null ? Future.succeededFuture(Optional.of(document)) : miss(id, load);
  }

  /**
   * Reads the document with {@code load} (its API form; empty when there is none) and caches it unless a write or a
   * notice for it came in meanwhile. A miss while another read of the same id is in flight on the same context
   * shares that read. Call it on a Vert.x context; the future completes there.
   */
  public Future<Optional<CachedDocument>> miss(String id, Function<String, Future<Optional<JsonObject>>> load) {
    metrics.miss();
    if (slots == null) {
      return encode(load.apply(id));
    }
    Context context = Vertx.currentContext();
    Loading mine = new Loading(context);
    Slot current = slots.putIfAbsent(id, mine);
    if (current == null) {
      Future<Optional<CachedDocument>> loaded = encode(load.apply(id));
      loaded.onComplete(ar -> {
        if (ar.succeeded() && ar.result().isPresent()) {
          slots.replace(id, mine, ar.result().get());
        } else {
          slots.remove(id, mine);
        }
        mine.result.handle(ar);
      });
      return loaded;
    }
    if (current instanceof Loading other && context != null && other.context == context) {
      return other.result.future();
    }
    CachedDocument document = current instanceof CachedDocument cached ? cached
        : current instanceof Writing writing ? writing.previous : null;
    // Another context's read or a write without a document before it is in flight: read, and leave the entry be.
    return document != null ? Future.succeededFuture(Optional.of(document)) : encode(load.apply(id));
  }

  private Future<Optional<CachedDocument>> encode(Future<Optional<JsonObject>> loaded) {
    return loaded.map(found -> found.map(document -> CachedDocument.of(document, ttlNanos)));
  }

  /**
   * Call before a write of document {@code id} starts that will return the new document; complete the returned
   * {@link Write} when the write is acknowledged or has failed. {@code publisher} announces the outcome.
   */
  public Write write(String id, ChangePublisher publisher) {
    Writing marker = slots == null ? null : (Writing) slots.compute(id, (key, slot) ->
        new Writing(slot instanceof CachedDocument cached ? cached
            : slot instanceof Writing writing ? writing.previous : null));
    return new Write(id, marker, publisher);
  }

  /** One write in flight, begun by {@link #write}. Complete it once. */
  public final class Write {
    private final String id;
    private final Writing marker;
    private final ChangePublisher publisher;

    private Write(String id, Writing marker, ChangePublisher publisher) {
      this.id = id;
      this.marker = marker;
      this.publisher = publisher;
    }

    /** The write is acknowledged and {@code document} (API form) is the document right after it. */
    public CachedDocument written(JsonObject document) {
      CachedDocument cached = CachedDocument.of(document, ttlNanos);
      if (marker != null && !slots.replace(id, marker, cached)) {
        slots.remove(id);
      }
      publisher.changed(origin, id, cached.tag());
      return cached;
    }

    /** The document is gone, or the write failed and its outcome is unknown: no copy of it may stay anywhere. */
    public void dropped() {
      if (slots != null) {
        slots.remove(id);
      }
      publisher.changed(origin, id, null);
    }
  }

  /** A write of document {@code id} that returns no document was acknowledged (or failed): drop it everywhere. */
  public void changed(String id, ChangePublisher publisher) {
    new Write(id, null, publisher).dropped();
  }

  /**
   * Another process changed document {@code id}; {@code tag} is the opaque tag of its new state (null: deleted or
   * unknown). The entry is dropped (markers too, so a read in flight does not put what it read before the change)
   * unless it already holds exactly that state.
   */
  public void changedElsewhere(String id, String tag) {
    if (slots != null) {
      slots.computeIfPresent(id, (key, slot) ->
          tag != null && slot instanceof CachedDocument cached && tag.equals(cached.tag()) ? slot : null);
    }
  }

  /** Drops everything (e.g. after a NATS outage, during which notices may have been missed). */
  public void clear() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  /** Each slot lives until the deadline of the document it serves, so a {@link Writing} marker never extends it. */
  private record Lifetimes(long ttlNanos) implements Expiry<String, Slot> {

    private long lifetime(Slot slot, long now) {
      CachedDocument served = slot instanceof CachedDocument cached ? cached
          : slot instanceof Writing writing ? writing.previous : null;
      return served == null ? ttlNanos : Math.max(0, served.expiresAt - now);
    }

    @Override
    public long expireAfterCreate(String id, Slot slot, long now) {
      return lifetime(slot, now);
    }

    @Override
    public long expireAfterUpdate(String id, Slot slot, long now, long remaining) {
      return lifetime(slot, now);
    }

    @Override
    public long expireAfterRead(String id, Slot slot, long now, long remaining) {
      return remaining;
    }
  }
}
