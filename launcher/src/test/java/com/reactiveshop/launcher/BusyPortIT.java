package com.reactiveshop.launcher;

import com.reactiveshop.testing.faults.Processes;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start failures that a user must see at once: a service port that is taken (one clear line naming it, a non-zero
 * exit within seconds, nothing left running), and stores that must be external but are not given.
 */
class BusyPortIT {

  @Test
  void aTakenPortIsNamedAndTheLauncherExitsNonZero() throws Exception {
    Path dataDir = FaultKit.scratch("busy-port");
    LauncherProcess launcher = null;
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Map<String, String> env = Map.of("USER_HTTP_PORT", "" + port,
          "PRODUCT_HTTP_PORT", "" + LauncherProcess.freePort(), "ORDER_HTTP_PORT", "" + LauncherProcess.freePort(),
          "GATEWAY_HTTP_PORT", "" + LauncherProcess.freePort());
      long start = System.nanoTime();
      launcher = LauncherProcess.start("busy-port", env, "--data-dir", dataDir.toString());
      assertTrue(launcher.process.waitFor(30, TimeUnit.SECONDS), "the launcher exits:\n" + launcher.output());
      long ms = (System.nanoTime() - start) / 1_000_000;
      String output = launcher.output();
      assertNotEquals(0, launcher.process.exitValue(), output);
      String line = "Could not start user-service: port " + port + " is already in use (set USER_HTTP_PORT)";
      assertTrue(output.contains(line), "expected '" + line + "' in:\n" + output);
      assertFalse(output.contains("null"), output);
      assertFalse(output.contains("Exception"), "no stack trace:\n" + output);
      assertTrue(ms < 10_000, "exited after " + ms + " ms:\n" + output);
      assertTrue(Processes.mentioning(dataDir.toString()).isEmpty(), "nothing left running");
      FaultKit.result("busy-port", "exit " + launcher.process.exitValue() + " after " + ms + " ms (JVM start included)");
    } finally {
      assertEquals(List.of(), FaultKit.cleanUp(dataDir, launcher), "no process was left behind");
    }
  }

  /** Two services given one port: named before anything starts. */
  @Test
  void twoServicesOnOnePortAreNamed() throws Exception {
    Path dataDir = FaultKit.scratch("same-port");
    LauncherProcess launcher = null;
    try {
      int port = LauncherProcess.freePort();
      Map<String, String> env = Map.of("USER_HTTP_PORT", "" + port, "PRODUCT_HTTP_PORT", "" + port);
      launcher = LauncherProcess.start("same-port", env, "--services", "user,product", "--data-dir",
          dataDir.toString());
      assertTrue(launcher.process.waitFor(30, TimeUnit.SECONDS), "the launcher exits:\n" + launcher.output());
      String output = launcher.output();
      assertNotEquals(0, launcher.process.exitValue(), output);
      assertTrue(output.contains("Could not start product-service: port " + port), output);
      assertTrue(Processes.mentioning(dataDir.toString()).isEmpty(), "nothing left running");
    } finally {
      FaultKit.cleanUp(dataDir, launcher);
    }
  }

  /** EMBEDDED=false (as in the container image) without the stores' addresses: named, non-zero, nothing started. */
  @Test
  void embeddedFalseWithoutAddressesNamesWhatIsMissing() throws Exception {
    Path dataDir = FaultKit.scratch("embedded-false");
    LauncherProcess launcher = null;
    try {
      Map<String, String> env = Map.of("EMBEDDED", "false", "MONGO_URI", "mongodb://127.0.0.1:1",
          "USER_HTTP_PORT", "" + LauncherProcess.freePort(), "PRODUCT_HTTP_PORT", "" + LauncherProcess.freePort(),
          "ORDER_HTTP_PORT", "" + LauncherProcess.freePort(), "GATEWAY_HTTP_PORT", "" + LauncherProcess.freePort());
      launcher = LauncherProcess.start("embedded-false", env, "--data-dir", dataDir.toString());
      assertTrue(launcher.process.waitFor(30, TimeUnit.SECONDS), "the launcher exits:\n" + launcher.output());
      String output = launcher.output();
      assertNotEquals(0, launcher.process.exitValue(), output);
      assertTrue(output.contains("EMBEDDED=false but NATS_URL, PG_URI are not set"), output);
      assertFalse(output.contains("Exception"), "no stack trace:\n" + output);
      assertTrue(Processes.mentioning(dataDir.toString()).isEmpty(), "nothing was started");
    } finally {
      FaultKit.cleanUp(dataDir, launcher);
    }
  }
}
