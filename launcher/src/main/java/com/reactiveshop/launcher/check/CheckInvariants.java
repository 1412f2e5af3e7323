package com.reactiveshop.launcher.check;

import com.reactiveshop.launcher.Redactions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The invariant check as a command, against a running (or stopped) system's stores:
 * <pre>
 *   MONGO_URI=mongodb://127.0.0.1:27017 PG_URI=postgresql://postgres:...@127.0.0.1:5432/order-service \
 *   NATS_URL=nats://127.0.0.1:4222 \
 *   java -cp launcher/target/reactive-shop.jar com.reactiveshop.launcher.check.CheckInvariants \
 *       [--initial-stock FILE|JSON] [--acknowledged FILE] [--settle SECONDS] [--list N]
 * </pre>
 * Exit code 0: no violation; 1: violations (each listed with its ids); 2: the check could not be made (a store did
 * not answer, bad arguments). Passwords in URIs are never printed.
 */
public final class CheckInvariants {

  private static final String USAGE = """
      Usage: java -cp reactive-shop.jar com.reactiveshop.launcher.check.CheckInvariants [options]
        --initial-stock X  JSON object {"<productId>": <initial stock>, ...}, inline or in file X: also check
                           initial = stock + units in CONFIRMED orders (only valid if no PUT changed stock)
        --acknowledged F   file of order ids the clients were answered for, one per line, optionally followed by
                           CONFIRMED or CANCELLED: each must exist (with that status)
        --settle S         look again every second until nothing is in progress, for at most S seconds (use after a
                           load or a fault: releases, sweeps and event publishing are asynchronous)
        --list N           list at most N findings of each kind (default 20)
      Environment: MONGO_URI (the product service's MongoDB), PG_URI (the order service's PostgreSQL), NATS_URL
        (optional; without it the events are not checked); ORDER_RELEASE_RETRY_INTERVAL_MS, ORDER_BREAKER_TIMEOUT_MS,
        ORDER_OUTBOX_INTERVAL_MS when the order service runs with other values than the defaults.
      Exit code: 0 no violation, 1 violations, 2 could not check.""";

  private CheckInvariants() {
  }

  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(args, System.getenv()));
  }

  static int run(String[] args, Map<String, String> env) {
    String mongoUri = blankToNull(env.get("MONGO_URI"));
    String pgUri = blankToNull(env.get("PG_URI"));
    String natsUrl = blankToNull(env.get("NATS_URL"));
    CheckOptions options = CheckOptions.fromEnv(env);
    long settleSeconds = 0;
    int list = 20;
    try {
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (List.of("--help", "-h").contains(arg)) {
          System.out.println(USAGE);
          return 0;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(arg + " needs a value");
        }
        String value = args[++i];
        switch (arg) {
          case "--initial-stock" -> options = options.withInitialStock(initialStock(value));
          case "--acknowledged" -> options = options.withAcknowledged(acknowledged(Path.of(value)));
          case "--settle" -> settleSeconds = Long.parseLong(value);
          case "--list" -> list = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + arg);
        }
      }
      if (mongoUri == null || pgUri == null) {
        throw new IllegalArgumentException("MONGO_URI and PG_URI must be set");
      }
    } catch (IllegalArgumentException | IOException e) {
      System.err.println(Redactions.uri(e.getMessage()));
      System.err.println(USAGE);
      return 2;
    }
    System.out.println("Checking MongoDB " + Redactions.uri(mongoUri) + " (database " + StoreReader.PRODUCT_DATABASE
        + "), PostgreSQL " + Redactions.uri(pgUri) + ", " + (natsUrl == null
        ? "no NATS_URL: events not checked" : "NATS " + Redactions.uri(natsUrl) + " (stream ORDERS)"));
    try (InvariantChecker checker = InvariantChecker.connect(mongoUri, pgUri, natsUrl)) {
      CheckReport report = settleSeconds > 0
          ? checker.settle(options, Duration.ofSeconds(settleSeconds), Duration.ofSeconds(1))
          : checker.check(options);
      System.out.print(Redactions.uri(report.format(list)));
      if (report.violations().stream().anyMatch(f -> f.kind().equals("store_unreadable"))) {
        return 2;
      }
      return report.ok() ? 0 : 1;
    } catch (Exception e) {
      System.err.println("Could not check: " + Redactions.uri(String.valueOf(e)));
      return 2;
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** Inline JSON (starts with '{') or a file holding it. */
  static Map<String, Long> initialStock(String value) throws IOException {
    String json = value.trim().startsWith("{") ? value : Files.readString(Path.of(value));
    Map<String, Long> stock = new LinkedHashMap<>();
    new JsonObject(json).forEach(e -> {
      if (!(e.getValue() instanceof Number n)) {
        throw new IllegalArgumentException("initial stock of " + e.getKey() + " is not a number");
      }
      stock.put(e.getKey(), n.longValue());
    });
    return stock;
  }

  /** One order id per line, optionally followed by its status; blank lines and lines starting with # are skipped. */
  static Map<String, String> acknowledged(Path file) throws IOException {
    Map<String, String> ids = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] parts = trimmed.split("\\s+");
      String status = parts.length > 1 ? parts[1].toUpperCase() : null;
      if (status != null && !List.of("CONFIRMED", "CANCELLED").contains(status)) {
        throw new IllegalArgumentException("bad status '" + parts[1] + "' in " + file);
      }
      ids.put(parts[0].toLowerCase(), status);
    }
    return ids;
  }
}
