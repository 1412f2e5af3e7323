package com.reactiveshop.common.ids;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Random (version 4) UUIDs for ids that must be unique but need not be secret: order ids, event ids, claim tokens,
 * reservation attempts.
 *
 * <p>{@link UUID#randomUUID()} draws from a shared {@link SecureRandom}, which on Linux mixes every read of
 * {@code /dev/urandom} with SHA1PRNG output: a SHA-1 computation per id, a few per order, which was a tenth of the
 * event loops' CPU on the order path. Here each thread has its own L128X256MixRandom (an LXM generator of the JDK:
 * 384 bits of state, period 2^128 × (2^256 − 1)) seeded once from {@link SecureRandom}, so ids from different
 * threads, processes and machines collide no more often than truly random 122-bit ids would.
 */
public final class RandomUuids {

  private static final RandomGeneratorFactory<RandomGenerator> FACTORY = RandomGeneratorFactory.of("L128X256MixRandom");
  private static final SecureRandom SEEDS = new SecureRandom();
  private static final ThreadLocal<RandomGenerator> GENERATOR = ThreadLocal.withInitial(RandomUuids::seeded);

  private RandomUuids() {
  }

  /** A random version 4, variant 2 (IETF) UUID, as {@link UUID#randomUUID()} makes. */
  public static UUID next() {
    RandomGenerator random = GENERATOR.get();
    long most = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // variant 10xx
    return new UUID(most, least);
  }

  private static RandomGenerator seeded() {
    byte[] seed = new byte[48];
    synchronized (SEEDS) {
      SEEDS.nextBytes(seed);
    }
    return FACTORY.create(seed);
  }
}
