package com.reactiveshop.user;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.testing.JsonHttp;
import com.reactiveshop.testing.Scrapes;
import io.nats.client.Message;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user cache: every write read back at once over HTTP and {@code users.get} on the instance that made it,
 * conditional GET, and a change seen by another process (its own Vert.x, NATS connection and cache) through the
 * change notice. The expiry is a minute, so nothing here passes by waiting for it.
 */
class UserCacheTest {

  private static final String API = UserVerticle.API;
  private static final CacheSettings LONG = new CacheSettings(60_000, 10_000);
  private static UserServiceFixture fx;
  private static Vertx otherVertx;
  private static NatsBridge otherBridge;
  private static WebClient otherHttp;
  private static int otherPort;

  @BeforeAll
  static void start() throws Exception {
    fx = new UserServiceFixture(LONG);
    otherVertx = Vertx.vertx();
    otherBridge = await(NatsBridge.connect(otherVertx, fx.natsServer.url(), "other-user-process"));
    otherHttp = WebClient.create(otherVertx);
    UserVerticle other = new UserVerticle(otherBridge, fx.mongo.uri(), ServiceSettings.local(0), LONG);
    await(otherVertx.deployVerticle(other));
    otherPort = other.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    await(otherBridge.close());
    await(otherVertx.close());
    fx.close();
  }

  private static JsonObject natsGet(String id) throws Exception {
    Message reply = fx.natsRequest("users.get", new JsonObject().put("id", id).encode());
    return json(reply);
  }

  private static HttpResponse<Buffer> onOther(String id) {
    return JsonHttp.send(otherHttp, otherPort, HttpMethod.GET, API + "/" + id, null);
  }

  @Test
  void everyWriteIsReadBackAtOnceOnTheInstanceThatMadeIt() throws Exception {
    JsonObject created = fx.createUser("Grace", "grace.cache@example.com");
    String id = created.getString("id");
    double hits = Scrapes.value(fx.get("/metrics").bodyAsString(), "cache_gets_total",
        Map.of("cache", "users", "result", "hit"));
    assertEquals(created, fx.get(API + "/" + id).bodyAsJsonObject());
    assertTrue(Scrapes.value(fx.get("/metrics").bodyAsString(), "cache_gets_total",
        Map.of("cache", "users", "result", "hit")) >= hits + 1, "served from the cache");
    // users.get may be answered by either process (one queue group); both answer the same document
    assertEquals(created, natsGet(id));

    HttpResponse<Buffer> put = fx.send(HttpMethod.PUT, API + "/" + id,
        "{\"name\":\"Grace Hopper\",\"email\":\"grace.hopper@example.com\"}");
    assertEquals(200, put.statusCode(), put.bodyAsString());
    assertEquals(put.bodyAsJsonObject(), fx.get(API + "/" + id).bodyAsJsonObject());
    assertEquals(put.bodyAsJsonObject(), natsGet(id));

    fx.createUser("Taken", "taken.cache@example.com");
    assertEquals(409, fx.send(HttpMethod.PUT, API + "/" + id,
        "{\"name\":\"Other\",\"email\":\"taken.cache@example.com\"}").statusCode());
    assertEquals(put.bodyAsJsonObject(), fx.get(API + "/" + id).bodyAsJsonObject(), "a refused PUT changes nothing");

    assertEquals(204, fx.send(HttpMethod.DELETE, API + "/" + id, null).statusCode());
    assertError(fx.get(API + "/" + id), 404, "user_not_found");
    assertErrorReply(fx.natsRequest("users.get", new JsonObject().put("id", id).encode()), 404, "user_not_found");
  }

  @Test
  void getIsConditional() {
    String id = fx.createUser("Tagged", "tagged.cache@example.com").getString("id");
    String etag = fx.get(API + "/" + id).getHeader("ETag");
    HttpResponse<Buffer> notModified = JsonHttp.send(fx.http, fx.port, HttpMethod.GET, API + "/" + id, null,
        Map.of("If-None-Match", etag));
    assertEquals(304, notModified.statusCode());
    assertNull(notModified.body());
    assertEquals(etag, notModified.getHeader("ETag"));
    assertEquals(200, JsonHttp.send(fx.http, fx.port, HttpMethod.GET, API + "/" + id, null,
        Map.of("If-None-Match", "not-a-tag")).statusCode(), "a bad If-None-Match is ignored");

    HttpResponse<Buffer> put = fx.send(HttpMethod.PUT, API + "/" + id,
        "{\"name\":\"Retagged\",\"email\":\"tagged.cache@example.com\"}");
    assertNotEquals(etag, put.getHeader("ETag"));
    HttpResponse<Buffer> changed = JsonHttp.send(fx.http, fx.port, HttpMethod.GET, API + "/" + id, null,
        Map.of("If-None-Match", etag));
    assertEquals(200, changed.statusCode());
    assertEquals(put.getHeader("ETag"), changed.getHeader("ETag"));
  }

  @Test
  void aChangeIsSeenByAnotherProcessWithoutWaitingForTheExpiry() {
    String id = fx.createUser("Before", "before.cache@example.com").getString("id");
    assertEquals("Before", onOther(id).bodyAsJsonObject().getString("name"));
    assertEquals("Before", onOther(id).bodyAsJsonObject().getString("name"));
    assertEquals(200, fx.send(HttpMethod.PUT, API + "/" + id,
        "{\"name\":\"After\",\"email\":\"before.cache@example.com\"}").statusCode());
    assertTrue(eventually(() -> "After".equals(onOther(id).bodyAsJsonObject().getString("name"))));
    assertEquals(204, fx.send(HttpMethod.DELETE, API + "/" + id, null).statusCode());
    assertTrue(eventually(() -> onOther(id).statusCode() == 404));
  }
}
