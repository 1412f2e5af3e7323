package com.reactiveshop.common.cache;

/**
 * Tells other processes that a cached document changed, so they drop their copy before it expires. In production
 * a NATS publish on {@code <collection>.changed}; a test may suppress it (a lost notice) or record it.
 */
@FunctionalInterface
public interface ChangePublisher {

  /** Announces nothing. */
  ChangePublisher NONE = (origin, id, tag) -> {
  };

  /**
   * @param origin the cache that made the change ({@link DocumentCache#origin()}), so it can skip its own notice
   * @param id     the document's id
   * @param tag    the opaque part of the new document's entity tag, or null when it was deleted or its state is
   *               unknown (a write whose outcome was not learned)
   */
  void changed(String origin, String id, String tag);
}
