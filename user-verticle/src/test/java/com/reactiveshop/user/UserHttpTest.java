package com.reactiveshop.user;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The user part of the contract over HTTP: happy paths and every error code. */
class UserHttpTest {

  private static UserServiceFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new UserServiceFixture();
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  @Test
  void createReadUpdateDelete() {
    HttpResponse<Buffer> created = fx.send(HttpMethod.POST, "/api/users",
        "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}");
    assertEquals(201, created.statusCode());
    JsonObject user = created.bodyAsJsonObject();
    String id = user.getString("id");
    assertTrue(id.matches("[0-9a-f]{24}"));
    assertEquals("/api/users/" + id, created.getHeader("Location"));
    assertEquals("Ada Lovelace", user.getString("name"));
    assertEquals("ada@example.com", user.getString("email"));
    assertNotNull(java.time.Instant.parse(user.getString("createdAt")));
    assertEquals(user.getString("createdAt"), user.getString("updatedAt"));
    assertEquals(java.util.Set.of("id", "name", "email", "createdAt", "updatedAt"), user.fieldNames());

    assertEquals(user, fx.get("/api/users/" + id).bodyAsJsonObject());

    // A client may PUT back what it got, read-only fields included; they are ignored.
    JsonObject changed = user.copy().put("name", "Ada King").put("id", "ignored").put("createdAt", "x");
    HttpResponse<Buffer> updated = fx.send(HttpMethod.PUT, "/api/users/" + id, changed.encode());
    assertEquals(200, updated.statusCode(), updated.bodyAsString());
    assertEquals("Ada King", updated.bodyAsJsonObject().getString("name"));
    assertEquals(id, updated.bodyAsJsonObject().getString("id"));
    assertEquals(user.getString("createdAt"), updated.bodyAsJsonObject().getString("createdAt"));

    assertEquals(204, fx.send(HttpMethod.DELETE, "/api/users/" + id, null).statusCode());
    assertError(fx.get("/api/users/" + id), 404, "user_not_found");
    assertError(fx.send(HttpMethod.DELETE, "/api/users/" + id, null), 404, "user_not_found");
    assertError(fx.send(HttpMethod.PUT, "/api/users/" + id, changed.encode()), 404, "user_not_found");
  }

  @Test
  void emailIsUniqueIgnoringCase() {
    JsonObject first = fx.createUser("Grace", "grace@example.com");
    assertError(fx.send(HttpMethod.POST, "/api/users", "{\"name\":\"Other\",\"email\":\"GRACE@Example.com\"}"),
        409, "email_taken");
    JsonObject second = fx.createUser("Hopper", "hopper@example.com");
    assertError(fx.send(HttpMethod.PUT, "/api/users/" + second.getString("id"),
        "{\"name\":\"Hopper\",\"email\":\"Grace@example.com\"}"), 409, "email_taken");
    assertEquals("hopper@example.com",
        fx.get("/api/users/" + second.getString("id")).bodyAsJsonObject().getString("email"));
    // Changing only the case of one's own email is not a conflict.
    HttpResponse<Buffer> own = fx.send(HttpMethod.PUT, "/api/users/" + first.getString("id"),
        "{\"name\":\"Grace\",\"email\":\"GRACE@example.com\"}");
    assertEquals(200, own.statusCode(), own.bodyAsString());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{}",
      "{\"name\":\"\",\"email\":\"a@example.com\"}",
      "{\"name\":\"   \",\"email\":\"a@example.com\"}",
      "{\"name\":\"a\",\"email\":\"not-an-email\"}",
      "{\"name\":\"a\",\"email\":\"a@example\"}",
      "{\"name\":123,\"email\":\"a@example.com\"}",
      "{\"name\":{\"$gt\":\"\"},\"email\":\"a@example.com\"}",
      "{\"name\":\"a\",\"email\":{\"$ne\":null}}",
      "{\"name\":null,\"email\":\"a@example.com\"}",
      "{\"name\":\"a\\u0000b\",\"email\":\"a@example.com\"}",
      "{\"name\":\"x\\ud800y\",\"email\":\"a@example.com\"}",
      "{\"name\":\"x\\udc00\",\"email\":\"a@example.com\"}",
      "{\"name\":\"a\\nb\",\"email\":\"a@example.com\"}",
      "{\"name\":\"a\",\"email\":\"a\\t@example.com\"}",
      "{\"name\":\"a\",\"email\":\"a@example.com\",\"role\":\"admin\"}",
      "{\"name\":[\"a\"],\"email\":\"a@example.com\"}",
  })
  void invalidBodiesAreRejectedAndChangeNothing(String body) {
    long before = total();
    JsonObject error = assertError(fx.send(HttpMethod.POST, "/api/users", body), 400, "validation_failed");
    assertFalse(error.getJsonArray("details").isEmpty());
    assertEquals(before, total());
  }

  @Test
  void nameLengthIsCountedInCharacters() {
    assertEquals(201, fx.send(HttpMethod.POST, "/api/users",
        new JsonObject().put("name", "é".repeat(100)).put("email", "long@example.com").encode()).statusCode());
    assertError(fx.send(HttpMethod.POST, "/api/users",
        new JsonObject().put("name", "x".repeat(101)).put("email", "longer@example.com").encode()),
        400, "validation_failed");
  }

  @Test
  void malformedOrWrongKindOfBody() {
    assertError(fx.send(HttpMethod.POST, "/api/users", "{\"name\":"), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, "/api/users", "[1,2]"), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, "/api/users", "\"text\""), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, "/api/users", ""), 400, "validation_failed");
    HttpResponse<Buffer> noType = await(fx.http.post(fx.port, "127.0.0.1", "/api/users")
        .sendBuffer(Buffer.buffer("{\"name\":\"a\",\"email\":\"t@example.com\"}")));
    assertError(noType, 415, "unsupported_media_type");
    HttpResponse<Buffer> textPlain = await(fx.http.post(fx.port, "127.0.0.1", "/api/users")
        .putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("{\"name\":\"a\",\"email\":\"t@example.com\"}")));
    assertError(textPlain, 415, "unsupported_media_type");
  }

  @Test
  void oversizeBodyIs413AndStoresNothing() {
    long before = total();
    String huge = new JsonObject().put("name", "x".repeat(1024 * 1024)).put("email", "big@example.com").encode();
    assertError(fx.send(HttpMethod.POST, "/api/users", huge), 413, "payload_too_large");
    assertEquals(before, total());
  }

  @Test
  void unknownRoutesAndMethods() {
    assertError(fx.get("/api/nothing"), 404, "not_found");
    HttpResponse<Buffer> patch = fx.send(HttpMethod.PATCH, "/api/users", "{}");
    assertError(patch, 405, "method_not_allowed");
    assertEquals("POST, GET, HEAD", patch.getHeader("Allow"));
    HttpResponse<Buffer> post = fx.send(HttpMethod.POST, "/api/users/0123456789abcdef01234567", "{}");
    assertError(post, 405, "method_not_allowed");
    assertEquals("GET, HEAD, PUT, DELETE", post.getHeader("Allow"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"123", "zzzzzzzzzzzzzzzzzzzzzzzz", "%7B%22%24gt%22%3A%22%22%7D", "0123456789abcdef0123456"})
  void wrongShapedIdsAreNotFound(String id) {
    assertError(fx.get("/api/users/" + id), 404, "user_not_found");
    assertError(fx.send(HttpMethod.DELETE, "/api/users/" + id, null), 404, "user_not_found");
    assertError(fx.send(HttpMethod.PUT, "/api/users/" + id, "{\"name\":\"a\",\"email\":\"id@example.com\"}"),
        404, "user_not_found");
  }

  @Test
  void listsArePaged() {
    for (int i = 0; i < 3; i++) {
      fx.createUser("Pager " + i, "pager" + i + "@example.com");
    }
    JsonObject all = fx.get("/api/users?limit=100").bodyAsJsonObject();
    long total = all.getLong("total");
    assertTrue(total >= 3);
    assertEquals(100, all.getInteger("limit"));
    assertEquals(0, all.getInteger("offset"));
    JsonObject page = fx.get("/api/users?limit=2&offset=1").bodyAsJsonObject();
    assertEquals(2, page.getJsonArray("items").size());
    assertEquals(total, page.getLong("total"));
    assertEquals(all.getJsonArray("items").getJsonObject(1), page.getJsonArray("items").getJsonObject(0));
    assertEquals(20, fx.get("/api/users").bodyAsJsonObject().getInteger("limit"));
    for (String bad : new String[] {"limit=0", "limit=101", "limit=abc", "limit=1.5", "offset=-1", "offset=x",
        "limit=", "limit=99999999999"}) {
      assertError(fx.get("/api/users?" + bad), 400, "validation_failed");
    }
  }

  @Test
  void healthAndMetrics() {
    HttpResponse<Buffer> live = fx.get("/health/live");
    assertEquals(200, live.statusCode());
    assertEquals("UP", live.bodyAsJsonObject().getString("status"));
    JsonObject ready = fx.get("/health/ready").bodyAsJsonObject();
    assertEquals("UP", ready.getString("status"));
    assertEquals(2, ready.getJsonArray("checks").size());

    JsonObject user = fx.createUser("Metric", "metric@example.com");
    fx.get("/api/users/" + user.getString("id"));
    String metrics = fx.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("vertx_http_server_requests_total"), metrics);
    assertTrue(metrics.contains("route=\"/api/users/:id\""), "HTTP series are labelled by route");
    assertFalse(metrics.contains(user.getString("id")), "no series is labelled by a raw path");
  }

  private long total() {
    return fx.get("/api/users?limit=1").bodyAsJsonObject().getLong("total");
  }

  static void assertNoBody(HttpResponse<Buffer> response) {
    assertNull(response.body());
  }
}
