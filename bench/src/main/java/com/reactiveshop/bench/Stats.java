package com.reactiveshop.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/** The pure maths of the kit: percentiles, medians, ratios and the store counters' differences. */
public final class Stats {

  /** Commands a driver or the bench itself sends whatever the load: left out of "commands per order". */
  public static final Set<String> HOUSEKEEPING_COMMANDS = Set.of(
      "hello", "ismaster", "buildinfo", "ping", "serverstatus", "endsessions", "getparameter", "getcmdlineopts",
      "whatsmyuri", "hostinfo", "connectionstatus", "saslstart", "saslcontinue", "getfreemonitoringstatus",
      "getlog", "listdatabases");

  private Stats() {
  }

  /**
   * The nearest-rank percentile of sorted values: the smallest value with at least {@code p} percent of the values at
   * or below it. {@code p} in (0, 100]; NaN for no values.
   */
  public static double percentileOfSorted(long[] sorted, int count, double p) {
    if (count <= 0) {
      return Double.NaN;
    }
    if (p <= 0) {
      return sorted[0];
    }
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.min(Math.max(rank, 1), count) - 1];
  }

  public static double percentile(long[] values, double p) {
    long[] copy = values.clone();
    Arrays.sort(copy);
    return percentileOfSorted(copy, copy.length, p);
  }

  /** The median (mean of the two middle values for an even count); NaN for none. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** result / ceiling, NaN when either is unknown or the ceiling is not positive. */
  public static double ratio(double result, double ceiling) {
    if (Double.isNaN(result) || Double.isNaN(ceiling) || ceiling <= 0) {
      return Double.NaN;
    }
    return result / ceiling;
  }

  /** The mean of the measurements that are known (a ceiling measured before and after its scenarios). */
  public static double meanOfKnown(double... values) {
    OptionalDouble mean = Arrays.stream(values).filter(v -> !Double.isNaN(v)).average();
    return mean.isPresent() ? mean.getAsDouble() : Double.NaN;
  }

  /**
   * Per-command difference of two {@code opcountersByCommand} readings, without housekeeping commands (compared
   * case-insensitively) and without commands that did not change.
   */
  public static Map<String, Long> commandDeltas(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> deltas = new TreeMap<>();
    after.forEach((command, count) -> {
      if (HOUSEKEEPING_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
        return;
      }
      long delta = count - before.getOrDefault(command, 0L);
      if (delta != 0) {
        deltas.put(command, delta);
      }
    });
    return deltas;
  }

  public static long sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** count / orders, NaN when there were no orders. */
  public static double perOrder(double count, long orders) {
    return orders <= 0 ? Double.NaN : count / orders;
  }
}
