package com.reactiveshop.common.ids;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of bytes, with one {@link MessageDigest} per thread: both users (entity tags of cached documents,
 * fingerprints of Idempotency-Key request bodies) hash on the request path, where a provider lookup per call
 * ({@code MessageDigest.getInstance}) is avoidable work.
 */
public final class Sha256 {

  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private Sha256() {
  }

  /** The 32-byte digest of {@code bytes}. */
  public static byte[] of(byte[] bytes) {
    return DIGEST.get().digest(bytes); // digest() also resets it for the next call
  }
}
