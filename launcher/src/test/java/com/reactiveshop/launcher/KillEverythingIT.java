package com.reactiveshop.launcher;

import com.reactiveshop.testing.faults.OrderLoad;
import com.reactiveshop.testing.faults.Processes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault: {@code kill -9} of every process of an all-in-one launcher with embedded infrastructure (the JVM, its
 * nats-server and its PostgreSQL with every backend) under a steady order load, then a start again on the same data
 * directory. The load resumes by itself; afterwards the invariants hold and every acknowledged order is there.
 * Orders killed between their commit and the publishing of their event are covered by the check "every CONFIRMED
 * order has exactly one created event".
 */
class KillEverythingIT {

  private static final long LOAD_BEFORE_MS = 6_000;
  private static final long LOAD_AFTER_MS = 6_000;

  @Test
  void nothingAcknowledgedIsLostAndNothingOversoldWhenEveryProcessIsKilled() throws Exception {
    Path dataDir = FaultKit.scratch("kill-everything");
    FaultKit.AllInOne ports = FaultKit.AllInOne.onFreePorts();
    int userPort = ports.userPort();
    int productPort = ports.productPort();
    int orderPort = ports.orderPort();
    Map<String, String> env = ports.env();
    LauncherProcess first = null;
    LauncherProcess second = null;
    OrderLoad load = null;
    try {
      first = LauncherProcess.start("kill-all-first", env, "--data-dir", dataDir.toString());
      first.awaitOutput("reactive-shop is up");
      FaultKit.Shop shop = FaultKit.seed(userPort, productPort);
      load = FaultKit.load(orderPort, shop, "kill-all");
      Thread.sleep(LOAD_BEFORE_MS);

      OrderLoad.Phase killed = load.phase("killed");
      first.kill();
      // What a kill -9 of the launcher JVM leaves running: its embedded servers, now orphans.
      Map<ProcessHandle, String> orphans = Processes.mentioning(dataDir.toString());
      List<String> reaped = Processes.killTrees(orphans.keySet());
      FaultKit.result("kill-everything", "orphans left by the dead launcher JVM and killed: " + reaped);
      assertTrue(Processes.mentioning(dataDir.toString()).isEmpty(), "nothing of the first run is left");

      OrderLoad.Phase restarting = load.phase("restarting");
      long restartAt = System.nanoTime();
      second = LauncherProcess.start("kill-all-second", env, "--data-dir", dataDir.toString());
      second.awaitOutput("reactive-shop is up");
      long upMs = (System.nanoTime() - restartAt) / 1_000_000;
      OrderLoad.Phase resumed = load.phase("resumed");
      Thread.sleep(LOAD_AFTER_MS);
      load.stop();

      Map<String, String> infra = FaultKit.infrastructure(second.output());
      assertEquals(3, infra.size(), "the summary names NATS, MongoDB and PostgreSQL: " + second.output());
      FaultKit.assertInvariants("kill-everything", infra.get("mongo"), infra.get("pg"), infra.get("nats"), shop, load,
          env);
      int before = load.phases().get(0).created();
      long firstAfter = restarting.msToFirst201() >= 0 ? restarting.msToFirst201()
          : resumed.msToFirst201() < 0 ? -1 : upMs + resumed.msToFirst201();
      FaultKit.result("kill-everything", "orders acknowledged before the kill " + before + ", while down "
          + killed.created() + ", after the restart " + (restarting.created() + resumed.created())
          + "; acknowledged in all " + load.acknowledged().size() + "; statuses " + load.statuses()
          + "; restart to 'up' " + upMs + " ms, restart to first 201 " + firstAfter + " ms; phases " + load.phases());
      assertTrue(before > 0, "orders were placed before the kill: " + load.phases());
      assertTrue(resumed.created() + restarting.created() > 0, "orders resumed after the restart: " + load.phases());
      assertStoppedCleanly(second);
      second = null;
    } finally {
      FaultKit.cleanUp(dataDir, load, first, second);
    }
  }

  private static void assertStoppedCleanly(LauncherProcess process) throws Exception {
    int code = process.stop();
    assertTrue(code == 0 || code == 143, "exit code " + code);
  }
}
