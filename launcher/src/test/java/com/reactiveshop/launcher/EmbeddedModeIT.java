package com.reactiveshop.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's run command in miniature: embedded everything, stop with SIGTERM, start again, data still there. */
class EmbeddedModeIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void dataSurvivesARestartAndNothingIsLeftRunning(@TempDir Path dataDir) throws Exception {
    int userPort = LauncherProcess.freePort();
    int productPort = LauncherProcess.freePort();
    int orderPort = LauncherProcess.freePort();
    int gatewayPort = LauncherProcess.freePort();
    Map<String, String> env = Map.of("USER_HTTP_PORT", "" + userPort, "PRODUCT_HTTP_PORT", "" + productPort,
        "ORDER_HTTP_PORT", "" + orderPort, "GATEWAY_HTTP_PORT", "" + gatewayPort);
    String userId;
    String productId;
    try (LauncherProcess first = LauncherProcess.start("all-in-one", env, "--data-dir", dataDir.toString())) {
      first.awaitOutput("reactive-shop is up");
      first.awaitReady("http://127.0.0.1:" + orderPort + "/health/ready");
      userId = idOf(post(userPort, "/api/users", "{\"name\":\"Keeper\",\"email\":\"keeper@example.com\"}"));
      productId = idOf(post(productPort, "/api/products", "{\"name\":\"Kept\",\"priceCents\":5,\"stock\":3}"));
      String order = "{\"userId\":\"" + userId + "\",\"items\":[{\"productId\":\"" + productId + "\",\"quantity\":1}]}";
      assertEquals(201, send(orderPort, "POST", "/api/orders", order).statusCode());
      List<ProcessHandle> children = first.process.descendants().toList();
      assertTrue(children.stream().anyMatch(ProcessHandle::isAlive), "embedded nats-server and PostgreSQL run");

      assertStoppedBySigterm(first.stop(), first);
      for (ProcessHandle child : children) {
        child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(!child.isAlive(), "no child process is left behind: " + child.info());
      }
      assertTrue(first.output().contains("Stopped."), first.output());
    }

    try (LauncherProcess second = LauncherProcess.start("all-in-one-again", env, "--data-dir", dataDir.toString())) {
      second.awaitReady("http://127.0.0.1:" + orderPort + "/health/ready");
      assertEquals(200, send(userPort, "GET", "/api/users/" + userId, null).statusCode());
      HttpResponse<String> product = send(productPort, "GET", "/api/products/" + productId, null);
      assertTrue(product.body().contains("\"stock\":2"), product.body());
      HttpResponse<String> orders = send(orderPort, "GET", "/api/orders?userId=" + userId, null);
      assertTrue(orders.body().contains("\"total\":1"), orders.body());
      assertStoppedBySigterm(second.stop(), second);
    }
  }

  /** The JVM reports a SIGTERM stop as 143 (128 + 15) even after its shutdown hook finished cleanly. */
  private static void assertStoppedBySigterm(int exitCode, LauncherProcess process) throws Exception {
    assertTrue(exitCode == 0 || exitCode == 143, "exit code " + exitCode + "\n" + process.output());
  }

  private HttpResponse<String> post(int port, String path, String body) throws Exception {
    HttpResponse<String> response = send(port, "POST", path, body);
    assertEquals(201, response.statusCode(), response.body());
    return response;
  }

  private HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json");
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String idOf(HttpResponse<String> response) {
    return new io.vertx.core.json.JsonObject(response.body()).getString("id");
  }
}
