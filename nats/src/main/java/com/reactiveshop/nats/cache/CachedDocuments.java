package com.reactiveshop.nats.cache;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.common.cache.ChangePublisher;
import com.reactiveshop.common.cache.DocumentCache;
import com.reactiveshop.common.service.ServiceDeclaration;
import com.reactiveshop.nats.NatsBridge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One verticle instance's use of its service's document cache: the process-wide {@link DocumentCache} (shared with
 * the service's other instances in this process), the notices it publishes on each change, and the subscription that
 * applies other processes' notices on this instance's context. Everything else is the cache's: see
 * {@link DocumentCache} for how reads and writes keep it from going stale.
 */
public final class CachedDocuments {

  private final Context context;
  private final DocumentCache cache;
  private final ChangePublisher publisher;
  private final ChangeNotices.Listener listener;

  private CachedDocuments(Context context, DocumentCache cache, ChangePublisher publisher,
                          ChangeNotices.Listener listener) {
    this.context = context;
    this.cache = cache;
    this.publisher = publisher;
    this.listener = listener;
  }

  /** {@link #open}, for a service instance: closed when {@code service} stops. */
  public static CachedDocuments open(ServiceDeclaration service, NatsBridge nats, Context context, String name,
                                     String subject, CacheSettings settings,
                                     UnaryOperator<ChangePublisher> publishing) {
    return service.closing(open(nats, context, name, subject, settings, publishing), CachedDocuments::close);
  }

  /**
   * Opens the cache {@code name} of this process and listens on {@code subject}; call on the verticle's context.
   * {@code publishing} decorates the NATS publisher (identity in production; a test may suppress notices).
   */
  public static CachedDocuments open(NatsBridge nats, Context context, String name, String subject,
                                     CacheSettings settings, UnaryOperator<ChangePublisher> publishing) {
    DocumentCache cache = DocumentCache.shared(context.owner(), name, settings);
    ChangeNotices notices = new ChangeNotices(nats, subject);
    try {
      return new CachedDocuments(context, cache, publishing.apply(notices), notices.listen(context, cache));
    } catch (RuntimeException e) {
      cache.release(context.owner());
      throw e;
    }
  }

  /**
   * A cache of its own, off, announcing nothing: for code that runs outside a service instance (a one-off sweep in a
   * test, a tool) and must still go through the same write paths.
   */
  public static CachedDocuments detached() {
    return new CachedDocuments(null, DocumentCache.detached("detached", CacheSettings.OFF), ChangePublisher.NONE,
        null);
  }

  /** The cached document, or null. */
  public CachedDocument hit(String id) {
    return cache.hit(id);
  }

  /** The document, from the cache or else through {@code load} (which gives its API form). */
  public Future<Optional<CachedDocument>> find(String id, Function<String, Future<Optional<JsonObject>>> load) {
    return cache.get(id, load);
  }

  /** Call before a write that returns the new document starts; complete the {@link DocumentCache.Write} after. */
  public DocumentCache.Write write(String id) {
    return cache.write(id, publisher);
  }

  /** A write that returns no document was acknowledged (or failed): the document is dropped here and elsewhere. */
  public void changed(String id) {
    cache.changed(id, publisher);
  }

  public long ttlNanos() {
    return cache.ttlNanos();
  }

  /** Stops listening and gives back this instance's share of the cache. */
  public Future<Void> close() {
    if (listener == null) {
      return Future.succeededFuture();
    }
    return listener.stop().eventually(() -> {
      cache.release(context.owner());
      return Future.succeededFuture();
    });
  }
}
