package com.reactiveshop.launcher;

import com.reactiveshop.testing.faults.OrderLoad;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A requested stop (SIGTERM, as Ctrl-C or a container stop sends) of an all-in-one launcher under a steady order
 * load: it exits 0, its log has no ERROR and no connection failure (the services stop before the embedded servers
 * they use), and after a start again on the same data directory every acknowledged order is there and the stock
 * invariants hold.
 */
class StopUnderLoadIT {

  private static final long LOAD_BEFORE_MS = 5_000;
  private static final long LOAD_AFTER_MS = 3_000;

  /** What a stop in the wrong order prints: a client of a store or of NATS that is already gone. */
  private static final Pattern CONNECTION_FAILURE = Pattern.compile(
      "(?i)connection refused|connection reset|broken pipe|closed channel|pool closed|pool is closed"
          + "|connection is closed|MongoSocket|PgException|ClosedConnectionException");

  @Test
  void aStopUnderLoadIsCleanAndLosesNothing() throws Exception {
    Path dataDir = FaultKit.scratch("stop-under-load");
    FaultKit.AllInOne ports = FaultKit.AllInOne.onFreePorts();
    int userPort = ports.userPort();
    int productPort = ports.productPort();
    int orderPort = ports.orderPort();
    Map<String, String> env = ports.env();
    LauncherProcess first = null;
    LauncherProcess second = null;
    OrderLoad load = null;
    try {
      first = LauncherProcess.start("stop-first", env, "--data-dir", dataDir.toString());
      first.awaitOutput("reactive-shop is up");
      FaultKit.Shop shop = FaultKit.seed(userPort, productPort);
      load = FaultKit.load(orderPort, shop, "stop-under-load");
      Thread.sleep(LOAD_BEFORE_MS);

      load.phase("stopping");
      int code = first.stop();
      String log = first.output();
      assertEquals(0, code, "a requested stop exits 0:\n" + log);
      List<String> bad = log.lines()
          .filter(line -> line.contains(" ERROR ") || CONNECTION_FAILURE.matcher(line).find())
          .toList();
      assertTrue(bad.isEmpty(), "the stop logged errors:\n" + String.join("\n", bad) + "\n--- whole log:\n" + log);
      first = null;

      load.phase("restarting");
      second = LauncherProcess.start("stop-second", env, "--data-dir", dataDir.toString());
      second.awaitOutput("reactive-shop is up");
      OrderLoad.Phase resumed = load.phase("resumed");
      Thread.sleep(LOAD_AFTER_MS);
      load.stop();

      Map<String, String> infra = FaultKit.infrastructure(second.output());
      FaultKit.assertInvariants("stop-under-load", infra.get("mongo"), infra.get("pg"), infra.get("nats"), shop, load,
          env);
      int before = load.phases().get(0).created();
      FaultKit.result("stop-under-load", "orders acknowledged before the stop " + before + ", after the restart "
          + resumed.created() + "; acknowledged in all " + load.acknowledged().size() + "; statuses "
          + load.statuses() + "; phases " + load.phases());
      assertTrue(before > 0, "orders were placed before the stop: " + load.phases());
      int exit = second.stop();
      assertEquals(0, exit, "exit code of the second run");
      second = null;
    } finally {
      FaultKit.cleanUp(dataDir, load, first, second);
    }
  }
}
