package com.reactiveshop.common.cache;

import com.reactiveshop.common.http.EntityTags;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A document as a client receives it: its JSON encoded once, when it enters the cache, and its entity tag, so a
 * read served from the cache writes these bytes and encodes nothing. The bytes are never modified (Vert.x writes
 * a read-only slice of them per response).
 */
public final class CachedDocument implements DocumentCache.Slot {

  private final Buffer json;
  private final String tag;
  private final String etag;
  /** {@link System#nanoTime()} after which it is not served any more. */
  final long expiresAt;

  private CachedDocument(Buffer json, long expiresAt) {
    this.json = json;
    this.tag = EntityTags.opaqueOf(json);
    this.etag = EntityTags.strong(tag);
    this.expiresAt = expiresAt;
  }

  /** {@code document} (its API form) encoded and tagged, to be served for {@code ttlNanos} from now. */
  public static CachedDocument of(JsonObject document, long ttlNanos) {
    return new CachedDocument(document.toBuffer(), System.nanoTime() + ttlNanos);
  }

  /** The JSON bytes of the document. */
  public Buffer json() {
    return json;
  }

  /** The opaque part of the entity tag (what change notices carry). */
  public String tag() {
    return tag;
  }

  /** The {@code ETag} header value (a strong tag, in double quotes). */
  public String etag() {
    return etag;
  }

  /** The document decoded again (for callers that need its fields; the cache itself never does). */
  public JsonObject toJson() {
    return new JsonObject(json);
  }
}
