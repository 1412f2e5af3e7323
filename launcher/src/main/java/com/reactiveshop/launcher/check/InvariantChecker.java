package com.reactiveshop.launcher.check;

import com.reactiveshop.launcher.Redactions;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The invariant check against live stores: one look ({@link #check}), or looks again and again until nothing is in
 * progress any more ({@link #settle}), for after a load or a fault, since releases, sweeps and event publishing are
 * asynchronous. Shared by the fault tests and the {@link CheckInvariants} command.
 */
public final class InvariantChecker implements AutoCloseable {

  private final StoreReader reader;

  private InvariantChecker(StoreReader reader) {
    this.reader = reader;
  }

  /** {@code natsUrl} may be null (events are then not checked). */
  public static InvariantChecker connect(String mongoUri, String pgUri, String natsUrl) {
    return new InvariantChecker(StoreReader.connect(mongoUri, pgUri, natsUrl));
  }

  /** One snapshot, evaluated. A store that cannot be read fails with its exception. */
  public CheckReport check(CheckOptions options) throws Exception {
    return Invariants.evaluate(reader.read(), options);
  }

  /**
   * Checks every {@code pause} until a check finds neither a violation nor work in progress, or {@code within} has
   * passed; returns the last report (a store that cannot be read until the end gives a report with the violation
   * {@code store_unreadable}). Pass a bound longer than the release intent's grace plus the retry interval and the
   * sweeper's grace plus its interval (about 25 s with the defaults).
   */
  public CheckReport settle(CheckOptions options, Duration within, Duration pause) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    int looks = 0;
    CheckReport last = null;
    String first = null;
    Exception lastFailure = null;
    while (true) {
      looks++;
      try {
        last = check(options);
        lastFailure = null;
        if (first == null) {
          first = summary(last);
        }
        if (last.settled()) {
          break;
        }
      } catch (Exception e) {
        lastFailure = e;
      }
      if (System.nanoTime() + pause.toNanos() > deadline) {
        break;
      }
      Thread.sleep(pause.toMillis());
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (lastFailure != null) {
      CheckReport failed = last != null ? last : new CheckReport();
      failed.violation("store_unreadable", "-", "the last look failed: " + Redactions.uri(String.valueOf(lastFailure)));
      return failed.note("settle: " + looks + " look(s) in " + ms + " ms, the last one failed");
    }
    return last.note("settle: " + looks + " look(s) in " + ms + " ms, " + (last.settled() ? "settled"
        : "not settled within " + within.toSeconds() + " s") + "; the first look found " + first);
  }

  /** Findings by kind, e.g. {@code 0 violations; in progress: {hold_in_flight=2}}. */
  private static String summary(CheckReport report) {
    Map<String, Integer> violations = new TreeMap<>();
    Map<String, Integer> transients = new TreeMap<>();
    report.violations().forEach(f -> violations.merge(f.kind(), 1, Integer::sum));
    report.transients().forEach(f -> transients.merge(f.kind(), 1, Integer::sum));
    return "violations " + violations + ", in progress " + transients;
  }

  @Override
  public void close() {
    reader.close();
  }
}
