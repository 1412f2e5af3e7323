package com.reactiveshop.launcher;

import com.reactiveshop.testing.faults.Processes;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of the launcher JVM alone: its embedded nats-server and PostgreSQL (and their watchdogs) stop by
 * themselves within seconds, and a new start on the same data directory is ready with the data of the first run.
 */
class KillNineIT {

  private static final long GONE_WITHIN_MS = 10_000;

  @Test
  void embeddedServersDieWithTheLauncherAndTheNextStartKeepsTheData() throws Exception {
    Path dataDir = FaultKit.scratch("kill-nine");
    int userPort = LauncherProcess.freePort();
    int productPort = LauncherProcess.freePort();
    int orderPort = LauncherProcess.freePort();
    Map<String, String> env = Map.of("USER_HTTP_PORT", "" + userPort, "PRODUCT_HTTP_PORT", "" + productPort,
        "ORDER_HTTP_PORT", "" + orderPort, "GATEWAY_HTTP_PORT", "" + LauncherProcess.freePort());
    LauncherProcess first = null;
    LauncherProcess second = null;
    try {
      first = LauncherProcess.start("kill-nine-first", env, "--data-dir", dataDir.toString());
      first.awaitOutput("reactive-shop is up");
      first.awaitReady("http://127.0.0.1:" + orderPort + "/health/ready");
      FaultKit.Shop shop = FaultKit.seed(userPort, productPort);
      String order = "{\"userId\":\"" + shop.userId() + "\",\"items\":[{\"productId\":\"" + shop.productIds().get(0)
          + "\",\"quantity\":1}]}";
      HttpResponse<String> placed = FaultKit.send(orderPort, "POST", "/api/orders", order);
      assertEquals(201, placed.statusCode(), placed.body());
      String orderId = new io.vertx.core.json.JsonObject(placed.body()).getString("id");

      // Everything of the first run: what names the data directory, and all their descendants (PostgreSQL's backends).
      Set<ProcessHandle> firstRun = new HashSet<>(Processes.mentioning(dataDir.toString()).keySet());
      firstRun.addAll(first.process.descendants().toList());
      List.copyOf(firstRun).forEach(p -> p.descendants().forEach(firstRun::add));
      long launcherPid = first.process.pid();
      firstRun.removeIf(p -> p.pid() == launcherPid);
      assertTrue(firstRun.stream().anyMatch(p -> Processes.commandLine(p.pid()).orElse("").contains("nats-server")),
          "nats-server runs: " + firstRun);
      assertTrue(firstRun.stream().anyMatch(p -> Processes.commandLine(p.pid()).orElse("").contains("postgres")),
          "PostgreSQL runs: " + firstRun);

      long killedAt = System.nanoTime();
      first.kill();
      long deadline = killedAt + GONE_WITHIN_MS * 1_000_000;
      while (System.nanoTime() < deadline && (firstRun.stream().anyMatch(ProcessHandle::isAlive)
          || !Processes.mentioning(dataDir.toString()).isEmpty())) {
        Thread.sleep(100);
      }
      long goneMs = (System.nanoTime() - killedAt) / 1_000_000;
      Map<ProcessHandle, String> left = Processes.mentioning(dataDir.toString());
      List<String> alive = firstRun.stream().filter(ProcessHandle::isAlive)
          .map(p -> p.pid() + " " + Processes.commandLine(p.pid()).orElse("?")).toList();
      assertTrue(left.isEmpty() && alive.isEmpty(), "processes of the first run still there " + goneMs
          + " ms after kill -9: " + left.values() + " " + alive);
      FaultKit.result("kill-nine", "every embedded server of the killed launcher gone after " + goneMs + " ms ("
          + firstRun.size() + " processes)");

      second = LauncherProcess.start("kill-nine-second", env, "--data-dir", dataDir.toString());
      second.awaitOutput("reactive-shop is up");
      second.awaitReady("http://127.0.0.1:" + orderPort + "/health/ready");
      assertEquals(200, FaultKit.status(userPort, "/api/users/" + shop.userId()), "the user is still there");
      HttpResponse<String> kept = FaultKit.send(orderPort, "GET", "/api/orders/" + orderId, null);
      assertEquals(200, kept.statusCode(), "the order is still there: " + kept.body());
      int code = second.stop();
      assertEquals(0, code, "a requested stop exits with 0:\n" + second.output());
      assertTrue(second.output().contains("Stopped."), second.output());
      second = null;
    } finally {
      FaultKit.cleanUp(dataDir, first, second);
    }
  }
}
