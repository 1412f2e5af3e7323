package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * Warm-up until the system's JIT compiler is nearly done, for the order path. An order runs through far more code than
 * a GET (HTTP, NATS on both sides, the PostgreSQL client, the MongoDB driver, the embedded MongoDB-wire server and its
 * MVStore), and on 2 cores compiling it took about half of the JVM's CPU for the first minute of order traffic (C1 and
 * C2 threads read from {@code /proc}): a measurement in that minute mostly measures the compiler. So rounds of the same
 * load run until the compiler threads used at most {@link #MAX_JIT_SHARE} of the JVM's CPU in the last round, or
 * until {@code maxSeconds} have passed; what was reached is reported either way.
 */
final class CompiledWarmUp {

  static final double MAX_JIT_SHARE = 0.10;

  /** How the warm-up ended: its length, and the compiler's share of the JVM's CPU in its last round. */
  record Outcome(int seconds, int rounds, double lastJitShare, boolean settled) {

    JsonObject toJson() {
      return new JsonObject().put("seconds", seconds).put("rounds", rounds)
          .put("lastRoundJitShare", Json.num(lastJitShare)).put("settled", settled)
          .put("maxJitShare", MAX_JIT_SHARE);
    }

    String text() {
      return String.format("%d s in %d rounds; JIT compiler %.0f %% of the JVM's CPU in the last round%s", seconds,
          rounds, lastJitShare * 100, settled ? "" : " (still compiling at the limit)");
    }
  }

  /** One round of load of the given length. */
  interface Round {
    void run(int seconds) throws Exception;
  }

  private CompiledWarmUp() {
  }

  /** Runs rounds of {@code roundSeconds} until the compiler has settled or {@code maxSeconds} are used up. */
  static Outcome run(Supplier<ProcCpu.JvmCpu> cpu, int roundSeconds, int maxSeconds, Round round) throws Exception {
    int seconds = 0;
    int rounds = 0;
    double share = 1;
    while (seconds < maxSeconds) {
      ProcCpu.JvmCpu before = cpu.get();
      round.run(roundSeconds);
      ProcCpu.JvmCpu after = cpu.get();
      seconds += roundSeconds;
      rounds++;
      double used = after.total() - before.total();
      share = used > 0 ? (after.jit() - before.jit()) / used : 0;
      System.out.printf("   warm-up round %d: JIT compiler %.0f %% of the JVM's CPU%n", rounds, share * 100);
      if (share <= MAX_JIT_SHARE) {
        return new Outcome(seconds, rounds, share, true);
      }
    }
    return new Outcome(seconds, rounds, share, false);
  }
}
