package com.reactiveshop.common.cache;

import com.reactiveshop.common.http.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/** A collection's reads and delete by id, through the service's document cache (the writes are each store's own). */
public interface DocumentsById {

  /** The cached document, or null (then ask {@link #find}). */
  CachedDocument cached(String id);

  Future<Optional<CachedDocument>> find(String id);

  /** One page, always read from the store. */
  Future<JsonObject> list(Page page);

  /** True when a document with this id was there to remove. */
  Future<Boolean> delete(String id);
}
