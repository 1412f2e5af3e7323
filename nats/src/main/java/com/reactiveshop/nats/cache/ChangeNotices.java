package com.reactiveshop.nats.cache;

import com.reactiveshop.common.cache.ChangePublisher;
import com.reactiveshop.common.cache.DocumentCache;
import com.reactiveshop.nats.NatsBridge;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change notices of one kind of document on a core NATS subject ({@code products.changed}, {@code users.changed}):
 * fire and forget, no queue group, so every process hears every change. A notice is {@code {"id", "version"?}}
 * ({@code version}: the opaque part of the new entity tag; absent when the document was deleted or its state is
 * unknown) with the header {@value #ORIGIN_HEADER} naming the cache that made the change.
 *
 * <p>Listening: the jnats dispatcher thread only compares the origin header (a process skips its own notices, which
 * its cache has already applied) and hands the rest to the verticle's context, where the entry is dropped unless it
 * already holds that version. After a reconnect the cache is cleared: notices published during the outage are lost.
 */
public final class ChangeNotices implements ChangePublisher {

  public static final String ORIGIN_HEADER = "Cache-Origin";
  private static final Logger LOG = LoggerFactory.getLogger(ChangeNotices.class);

  private final NatsBridge nats;
  private final String subject;

  public ChangeNotices(NatsBridge nats, String subject) {
    this.nats = nats;
    this.subject = subject;
  }

  public String subject() {
    return subject;
  }

  @Override
  public void changed(String origin, String id, String tag) {
    JsonObject notice = new JsonObject().put("id", id);
    if (tag != null) {
      notice.put("version", tag);
    }
    try {
      nats.publish(subject, new Headers().put(ORIGIN_HEADER, origin), notice.toBuffer().getBytes());
    } catch (RuntimeException e) {
      // The connection is closed: other processes fall back on the expiry.
      LOG.debug("Could not publish a change notice on {}: {}", subject, e.toString());
    }
  }

  /** A subscription that applies other processes' notices to a cache. */
  public final class Listener {
    private final Dispatcher dispatcher;
    private final Runnable onReconnected;

    private Listener(Dispatcher dispatcher, Runnable onReconnected) {
      this.dispatcher = dispatcher;
      this.onReconnected = onReconnected;
    }

    /** Unsubscribes (off the event loop: closing a dispatcher waits for its thread). */
    public Future<Void> stop() {
      nats.removeReconnectedListener(onReconnected);
      return nats.vertx().executeBlocking(() -> {
        nats.connection().closeDispatcher(dispatcher);
        return null;
      }, false);
    }
  }

  /** Starts applying notices from other processes to {@code cache}, on {@code context}. */
  public Listener listen(Context context, DocumentCache cache) {
    String own = cache.origin();
    Dispatcher dispatcher = nats.connection().createDispatcher(message -> {
      Headers headers = message.getHeaders();
      if (headers != null && own.equals(headers.getFirst(ORIGIN_HEADER))) {
        return;
      }
      context.runOnContext(v -> apply(cache, message));
    });
    dispatcher.subscribe(subject);
    Runnable onReconnected = () -> context.runOnContext(v -> cache.clear());
    nats.onReconnected(onReconnected);
    return new Listener(dispatcher, onReconnected);
  }

  private void apply(DocumentCache cache, Message message) {
    JsonObject notice;
    try {
      notice = new JsonObject(Buffer.buffer(message.getData()));
    } catch (RuntimeException e) {
      LOG.debug("Ignored a change notice on {} that is not JSON", subject);
      return;
    }
    if (notice.getValue("id") instanceof String id) {
      cache.changedElsewhere(id, notice.getValue("version") instanceof String version ? version : null);
    }
  }
}
