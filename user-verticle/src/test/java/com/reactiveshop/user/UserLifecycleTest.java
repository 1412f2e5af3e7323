package com.reactiveshop.user;

import com.reactiveshop.common.discovery.Discovery;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a deployment leaves behind: its discovery record, and readiness that follows MongoDB. */
class UserLifecycleTest {

  private UserServiceFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new UserServiceFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void discoveryRecordLivesAsLongAsTheDeployment() {
    ServiceDiscovery discovery = Discovery.create(fx.vertx, new JsonObject());
    try {
      List<Record> records = await(discovery.getRecords(r -> "user-service".equals(r.getName())));
      assertEquals(1, records.size());
      Record record = records.get(0);
      assertEquals("http-endpoint", record.getType());
      assertEquals(new JsonObject().put("api", "/api/users"), record.getMetadata());
      assertEquals(fx.port, record.getLocation().getInteger("port"));

      fx.undeploy();
      assertTrue(await(discovery.getRecords(r -> "user-service".equals(r.getName()))).isEmpty());
      assertTrue(fx.bridge.connection().getStatus() == io.nats.client.Connection.Status.CONNECTED);
    } finally {
      discovery.close();
    }
  }

  @Test
  void readinessFollowsMongo() throws Exception {
    assertEquals(200, fx.get("/health/ready").statusCode());

    fx.mongo.stop();
    var down = fx.get("/health/ready");
    assertEquals(503, down.statusCode());
    JsonObject body = down.bodyAsJsonObject();
    assertEquals("DOWN", body.getString("status"));
    JsonObject mongoCheck = body.getJsonArray("checks").getJsonObject(0);
    assertEquals("mongodb", mongoCheck.getString("name"));
    assertEquals("DOWN", mongoCheck.getString("status"));
    assertEquals("UP", body.getJsonArray("checks").getJsonObject(1).getString("status"));
    assertEquals(200, fx.get("/health/live").statusCode());
    // Requests that need the store get the contract's 503, not a 500, and NATS callers the same status.
    var list = fx.get("/api/users");
    assertEquals(503, list.statusCode(), list.bodyAsString());
    assertEquals("dependency_unavailable", list.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertEquals("1", list.getHeader("Retry-After"));
    var reply = fx.natsRequest("users.get", "{\"id\":\"0123456789abcdef01234567\"}");
    assertEquals("503", reply.getHeaders().getFirst("Nats-Service-Error-Code"));

    fx.mongo.restart();
    assertTrue(eventually(() -> fx.get("/health/ready").statusCode() == 200), "ready again once MongoDB is back");
    assertEquals(201, fx.send(io.vertx.core.http.HttpMethod.POST, "/api/users",
        "{\"name\":\"Back\",\"email\":\"back@example.com\"}").statusCode());
  }
}
