package com.reactiveshop.product;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.Set;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The product part of the contract over HTTP: happy paths, every error code, bad input that changes nothing. */
class ProductHttpTest {

  private static final String API = ProductVerticle.API;
  private static ProductServiceFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new ProductServiceFixture();
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  @Test
  void createReadUpdateDelete() {
    HttpResponse<Buffer> created = fx.send(HttpMethod.POST, API,
        "{\"name\":\"Teapot\",\"description\":\"Short and stout\",\"priceCents\":1299,\"stock\":7}");
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject product = created.bodyAsJsonObject();
    String id = product.getString("id");
    assertTrue(id.matches("[0-9a-f]{24}"));
    assertEquals(API + "/" + id, created.getHeader("Location"));
    assertEquals(Set.of("id", "name", "description", "priceCents", "stock", "createdAt", "updatedAt"),
        product.fieldNames());
    assertEquals("Teapot", product.getString("name"));
    assertEquals("Short and stout", product.getString("description"));
    assertEquals(1299, product.getInteger("priceCents"));
    assertEquals(7, product.getInteger("stock"));
    assertNotNull(Instant.parse(product.getString("createdAt")));
    assertEquals(product.getString("createdAt"), product.getString("updatedAt"));

    assertEquals(product, fx.get(API + "/" + id).bodyAsJsonObject());
    assertEquals(product, fx.get(API + "/" + id.toUpperCase()).bodyAsJsonObject(), "ids are not case-sensitive");

    // A client may PUT back what it got, read-only fields included; they are ignored.
    JsonObject changed = product.copy().put("name", "Big teapot").put("stock", 3).put("id", "ignored")
        .put("createdAt", "x");
    HttpResponse<Buffer> updated = fx.send(HttpMethod.PUT, API + "/" + id, changed.encode());
    assertEquals(200, updated.statusCode(), updated.bodyAsString());
    JsonObject after = updated.bodyAsJsonObject();
    assertEquals("Big teapot", after.getString("name"));
    assertEquals(3, after.getInteger("stock"));
    assertEquals(id, after.getString("id"));
    assertEquals(product.getString("createdAt"), after.getString("createdAt"));
    assertFalse(Instant.parse(after.getString("updatedAt")).isBefore(Instant.parse(product.getString("updatedAt"))));
    assertEquals(after, fx.get(API + "/" + id).bodyAsJsonObject());

    // PUT replaces: a description left out becomes "".
    HttpResponse<Buffer> noDescription = fx.send(HttpMethod.PUT, API + "/" + id,
        "{\"name\":\"Teapot\",\"priceCents\":0,\"stock\":0}");
    assertEquals(200, noDescription.statusCode());
    assertEquals("", noDescription.bodyAsJsonObject().getString("description"));

    assertEquals(204, fx.send(HttpMethod.DELETE, API + "/" + id, null).statusCode());
    assertError(fx.get(API + "/" + id), 404, "product_not_found");
    assertError(fx.send(HttpMethod.DELETE, API + "/" + id, null), 404, "product_not_found");
    assertError(fx.send(HttpMethod.PUT, API + "/" + id, changed.encode()), 404, "product_not_found");
  }

  @Test
  void descriptionIsOptionalAndShownAsEmpty() {
    JsonObject product = fx.createProduct("Plain", 0, 0);
    assertEquals("", product.getString("description"));
    assertEquals("", fx.get(API + "/" + product.getString("id")).bodyAsJsonObject().getString("description"));
    String text = "Line one\nline two\twith tab, ünïcödé " + "é".repeat(1900);
    HttpResponse<Buffer> created = fx.send(HttpMethod.POST, API,
        new JsonObject().put("name", "Described").put("description", text).put("priceCents", 1).put("stock", 1)
            .encode());
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(text, created.bodyAsJsonObject().getString("description"));
  }

  @Test
  void stockMayPassTheIntRangeSoWhatWasReadCanBePutBack() {
    // Cancelled orders add units back on top of a PUT stock, so stock is not capped at 2^31 - 1; prices are.
    HttpResponse<Buffer> big = fx.send(HttpMethod.POST, API,
        "{\"name\":\"Big\",\"priceCents\":2147483647,\"stock\":2147484647}");
    assertEquals(201, big.statusCode(), big.bodyAsString());
    JsonObject product = big.bodyAsJsonObject();
    assertEquals(2147484647L, product.getLong("stock"));
    HttpResponse<Buffer> putBack = fx.send(HttpMethod.PUT, API + "/" + product.getString("id"), product.encode());
    assertEquals(200, putBack.statusCode(), putBack.bodyAsString());
    JsonObject error = assertError(fx.send(HttpMethod.POST, API,
        "{\"name\":\"Dear\",\"priceCents\":2147483648,\"stock\":1}"), 400, "validation_failed");
    assertEquals("must be an integer from 0 to 2147483647",
        error.getJsonArray("details").getJsonObject(0).getString("message"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{}",
      "{\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"\",\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"   \",\"priceCents\":1,\"stock\":1}",
      "{\"name\":123,\"priceCents\":1,\"stock\":1}",
      "{\"name\":{\"$gt\":\"\"},\"priceCents\":1,\"stock\":1}",
      "{\"name\":null,\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"a\\u0000b\",\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"a\\nb\",\"priceCents\":1,\"stock\":1}",
      "{\"name\":[\"a\"],\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"a\",\"description\":{\"$gt\":\"\"},\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"a\",\"description\":null,\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"a\",\"description\":\"bell\\u0007\",\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"a\",\"description\":5,\"priceCents\":1,\"stock\":1}",
      "{\"name\":\"a\",\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":1}",
      "{\"name\":\"a\",\"priceCents\":-1,\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":-1}",
      "{\"name\":\"a\",\"priceCents\":1.5,\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":1.0,\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":\"100\",\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":\"5\"}",
      "{\"name\":\"a\",\"priceCents\":{\"$gt\":0},\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":{\"$gt\":\"\"}}",
      "{\"name\":\"a\",\"priceCents\":true,\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":null}",
      "{\"name\":\"a\",\"priceCents\":99999999999,\"stock\":1}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":1e3}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":1,\"color\":\"red\"}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":1,\"pending\":[\"x\"]}",
      "{\"name\":\"a\",\"priceCents\":1,\"stock\":1,\"$set\":{\"stock\":5}}",
  })
  void invalidBodiesAreRejectedAndChangeNothing(String body) {
    JsonObject existing = fx.createProduct("Untouchable", 500, 5);
    String path = API + "/" + existing.getString("id");
    long before = total();
    JsonObject error = assertError(fx.send(HttpMethod.POST, API, body), 400, "validation_failed");
    assertFalse(error.getJsonArray("details").isEmpty());
    assertEquals(before, total());
    assertError(fx.send(HttpMethod.PUT, path, body), 400, "validation_failed");
    assertEquals(existing, fx.get(path).bodyAsJsonObject());
  }

  @Test
  void lengthsAreCountedInCharacters() {
    assertEquals(201, fx.send(HttpMethod.POST, API, new JsonObject().put("name", "é".repeat(200))
        .put("description", "é".repeat(2000)).put("priceCents", 1).put("stock", 1).encode()).statusCode());
    assertError(fx.send(HttpMethod.POST, API, new JsonObject().put("name", "x".repeat(201))
        .put("priceCents", 1).put("stock", 1).encode()), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, API, new JsonObject().put("name", "x")
        .put("description", "x".repeat(2001)).put("priceCents", 1).put("stock", 1).encode()), 400, "validation_failed");
  }

  @Test
  void malformedOrWrongKindOfBody() {
    long before = total();
    assertError(fx.send(HttpMethod.POST, API, "{\"name\":"), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, API, "[1,2]"), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, API, "\"text\""), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, API, "null"), 400, "validation_failed");
    assertError(fx.send(HttpMethod.POST, API, ""), 400, "validation_failed");
    String valid = "{\"name\":\"a\",\"priceCents\":1,\"stock\":1}";
    assertError(await(fx.http.post(fx.port, "127.0.0.1", API).sendBuffer(Buffer.buffer(valid))),
        415, "unsupported_media_type");
    assertError(await(fx.http.post(fx.port, "127.0.0.1", API).putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer(valid))), 415, "unsupported_media_type");
    assertEquals(before, total());
  }

  @Test
  void oversizeBodyIs413AndStoresNothing() {
    JsonObject existing = fx.createProduct("Big", 1, 1);
    long before = total();
    String huge = new JsonObject().put("name", "x").put("description", "x".repeat(1024 * 1024))
        .put("priceCents", 1).put("stock", 1).encode();
    assertError(fx.send(HttpMethod.POST, API, huge), 413, "payload_too_large");
    assertError(fx.send(HttpMethod.PUT, API + "/" + existing.getString("id"), huge), 413, "payload_too_large");
    assertEquals(before, total());
    assertEquals(existing, fx.get(API + "/" + existing.getString("id")).bodyAsJsonObject());
  }

  @Test
  void unknownRoutesAndMethods() {
    assertError(fx.get("/api/nothing"), 404, "not_found");
    HttpResponse<Buffer> patch = fx.send(HttpMethod.PATCH, API, "{}");
    assertError(patch, 405, "method_not_allowed");
    assertEquals("POST, GET, HEAD", patch.getHeader("Allow"));
    HttpResponse<Buffer> post = fx.send(HttpMethod.POST, API + "/0123456789abcdef01234567", "{}");
    assertError(post, 405, "method_not_allowed");
    assertEquals("GET, HEAD, PUT, DELETE", post.getHeader("Allow"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"123", "zzzzzzzzzzzzzzzzzzzzzzzz", "%7B%22%24gt%22%3A%22%22%7D", "0123456789abcdef0123456",
      "0123456789abcdef01234567"})
  void wrongShapedOrUnknownIdsAreNotFound(String id) {
    long before = total();
    assertError(fx.get(API + "/" + id), 404, "product_not_found");
    assertError(fx.send(HttpMethod.DELETE, API + "/" + id, null), 404, "product_not_found");
    assertError(fx.send(HttpMethod.PUT, API + "/" + id, "{\"name\":\"a\",\"priceCents\":1,\"stock\":1}"),
        404, "product_not_found");
    assertEquals(before, total());
  }

  @Test
  void listsArePaged() {
    for (int i = 0; i < 3; i++) {
      fx.createProduct("Pager " + i, i, i);
    }
    JsonObject all = fx.get(API + "?limit=100").bodyAsJsonObject();
    long total = all.getLong("total");
    assertTrue(total >= 3);
    assertEquals(Set.of("items", "total", "limit", "offset"), all.fieldNames());
    assertEquals(100, all.getInteger("limit"));
    assertEquals(0, all.getInteger("offset"));
    JsonObject page = fx.get(API + "?limit=2&offset=1").bodyAsJsonObject();
    assertEquals(2, page.getJsonArray("items").size());
    assertEquals(total, page.getLong("total"));
    assertEquals(all.getJsonArray("items").getJsonObject(1), page.getJsonArray("items").getJsonObject(0));
    assertEquals(Set.of("id", "name", "description", "priceCents", "stock", "createdAt", "updatedAt"),
        page.getJsonArray("items").getJsonObject(0).fieldNames());
    assertEquals(20, fx.get(API).bodyAsJsonObject().getInteger("limit"));
    for (String bad : new String[] {"limit=0", "limit=101", "limit=abc", "limit=1.5", "offset=-1", "offset=x",
        "limit=", "limit=99999999999"}) {
      assertError(fx.get(API + "?" + bad), 400, "validation_failed");
    }
  }

  @Test
  void healthAndMetrics() {
    HttpResponse<Buffer> live = fx.get("/health/live");
    assertEquals(200, live.statusCode());
    assertEquals("UP", live.bodyAsJsonObject().getString("status"));
    HttpResponse<Buffer> ready = fx.get("/health/ready");
    assertEquals(200, ready.statusCode());
    JsonObject body = ready.bodyAsJsonObject();
    assertEquals("UP", body.getString("status"));
    JsonArray checks = body.getJsonArray("checks");
    assertEquals(2, checks.size());
    assertEquals("mongodb", checks.getJsonObject(0).getString("name"));
    assertEquals("nats", checks.getJsonObject(1).getString("name"));

    JsonObject product = fx.createProduct("Metric", 1, 1);
    fx.get(API + "/" + product.getString("id"));
    String metrics = fx.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("vertx_http_server_requests_total"), metrics);
    assertTrue(metrics.contains("route=\"/api/products/:id\""), "HTTP series are labelled by route");
    assertFalse(metrics.contains(product.getString("id")), "no series is labelled by a raw path");
  }

  private long total() {
    return fx.get(API + "?limit=1").bodyAsJsonObject().getLong("total");
  }
}
