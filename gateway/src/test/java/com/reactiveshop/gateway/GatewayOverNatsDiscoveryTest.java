package com.reactiveshop.gateway;

import com.reactiveshop.common.discovery.Discovery;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.discovery.NatsDiscovery;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.types.HttpEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway in one "process" (Vert.x instance and NATS connection) finds a service published by another one
 * through the NATS KV discovery backend.
 */
class GatewayOverNatsDiscoveryTest {

  private static final JsonObject BACKEND = NatsDiscovery.backendConfig("gateway-test", Duration.ofSeconds(15));

  private static EmbeddedNats nats;
  private static Vertx serviceProcess;
  private static Vertx gatewayProcess;
  private static NatsBridge serviceNats;
  private static NatsBridge gatewayNats;
  private static ServiceDiscovery publisher;
  private static StubService stub;
  private static int gatewayPort;
  private static String gatewayDeployment;
  private static WebClient http;

  @BeforeAll
  static void start() {
    nats = EmbeddedNats.start(0, null);
    serviceProcess = Vertx.vertx();
    serviceNats = await(NatsBridge.connect(serviceProcess, nats.url(), "service-process"));
    NatsDiscovery.register(serviceProcess, serviceNats);
    publisher = Discovery.create(serviceProcess, BACKEND);
    stub = await(StubService.start(serviceProcess, "users-remote"));

    gatewayProcess = Metrics.newVertx();
    gatewayNats = await(NatsBridge.connect(gatewayProcess, nats.url(), "gateway-process"));
    NatsDiscovery.register(gatewayProcess, gatewayNats);
    GatewayVerticle gateway = new GatewayVerticle("127.0.0.1", 0, BACKEND, gatewayNats);
    gatewayDeployment = await(gatewayProcess.deployVerticle(gateway));
    gatewayPort = gateway.actualPort();
    http = WebClient.create(gatewayProcess);
  }

  @AfterAll
  static void stop() {
    publisher.close();
    // As a process stops: its verticles first, then its NATS connection, then Vert.x.
    await(gatewayProcess.undeploy(gatewayDeployment));
    await(gatewayNats.close());
    await(gatewayProcess.close());
    await(serviceNats.close());
    await(serviceProcess.close());
    NatsDiscovery.unregister(serviceProcess);
    NatsDiscovery.unregister(gatewayProcess);
    nats.close();
  }

  @Test
  void routesToAnInstancePublishedByAnotherProcessUntilItIsUnpublished() {
    Record record = await(publisher.publish(HttpEndpoint.createRecord("user-service", "127.0.0.1", stub.port(), "/",
        new JsonObject().put("api", "/api/users"))));

    HttpResponse<Buffer> routed = get("/api/users?limit=1");
    assertEquals(200, routed.statusCode());
    assertEquals("users-remote", routed.getHeader("X-Instance"));

    JsonArray items = get("/api/services").bodyAsJsonObject().getJsonArray("items");
    assertTrue(items.stream().anyMatch(item ->
        record.getRegistration().equals(((JsonObject) item).getString("registration"))), items.encode());

    await(publisher.unpublish(record.getRegistration()));
    int status = eventually(Duration.ofSeconds(10), () -> get("/api/users").statusCode(), s -> s == 503);
    assertEquals(503, status, "no live instance once the record is unpublished");
  }

  @Test
  void reportsReadinessAndMetrics() {
    HttpResponse<Buffer> ready = get("/health/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    JsonArray checks = ready.bodyAsJsonObject().getJsonArray("checks");
    assertTrue(checks.stream().anyMatch(check -> "nats".equals(((JsonObject) check).getString("name"))
        && "UP".equals(((JsonObject) check).getString("status"))), checks.encode());

    HttpResponse<Buffer> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.bodyAsString().contains("vertx_http_server"), "Vert.x HTTP server series are exported");
  }

  private static HttpResponse<Buffer> get(String path) {
    return await(http.get(gatewayPort, "127.0.0.1", path).send());
  }
}
