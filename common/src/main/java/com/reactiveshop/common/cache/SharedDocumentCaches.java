package com.reactiveshop.common.cache;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.function.Supplier;

/**
 * One {@link DocumentCache} per name and Vert.x instance (one process), shared by the verticle instances of a
 * service and counted: the first {@link #acquire} creates it, the last {@link #release} closes it. Kept in a Vert.x
 * local map, the way Vert.x shares its own clients, so it goes with the Vert.x instance.
 */
final class SharedDocumentCaches {

  private static final String MAP = "reactiveshop.document-caches";
  private static final Object LOCK = new Object();

  private SharedDocumentCaches() {
  }

  private static final class Holder implements Shareable {
    final DocumentCache cache;
    int users;

    Holder(DocumentCache cache) {
      this.cache = cache;
    }
  }

  static DocumentCache acquire(Vertx vertx, String name, Supplier<DocumentCache> create) {
    synchronized (LOCK) {
      LocalMap<String, Holder> caches = vertx.sharedData().getLocalMap(MAP);
      Holder holder = caches.get(name);
      if (holder == null) {
        holder = new Holder(create.get());
        caches.put(name, holder);
      }
      holder.users++;
      return holder.cache;
    }
  }

  static void release(Vertx vertx, String name, DocumentCache cache) {
    synchronized (LOCK) {
      LocalMap<String, Holder> caches = vertx.sharedData().getLocalMap(MAP);
      Holder holder = caches.get(name);
      if (holder != null && holder.cache == cache && --holder.users == 0) {
        caches.remove(name);
        cache.close();
      }
    }
  }
}
