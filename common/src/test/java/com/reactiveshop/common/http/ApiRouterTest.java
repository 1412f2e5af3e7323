package com.reactiveshop.common.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP layer every service shares: whatever a client sends, the answer is the contract's JSON error model. */
class ApiRouterTest {

  private static Vertx vertx;
  private static HttpServer server;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ApiRouter router = ApiRouter.create(vertx);
    router.get("/things", ctx -> Future.succeededFuture(Reply.ok(Page.of(ctx).answer(java.util.List.of(), 0))));
    router.post("/things", ctx -> {
      JsonFields fields = JsonFields.of(JsonRequests.body(ctx), Set.of("name", "count"));
      String name = fields.name("name", 10, true);
      Long count = fields.integer("count", 0, Integer.MAX_VALUE, false);
      fields.validate();
      return Future.succeededFuture(new Reply(201, new JsonObject().put("name", name).put("count", count),
          Map.of("Location", "/x")));
    });
    router.get("/things/:id", ctx -> Future.failedFuture(ApiError.notFound("thing_not_found", "No thing.")));
    // Routes added from here on answer within 300 ms: one whose store never answers, one that answers at once.
    router.answeringWithin(300);
    router.get("/silent", ctx -> Promise.<Reply>promise().future());
    router.get("/prompt", ctx -> Future.succeededFuture(Reply.ok(new JsonObject().put("ok", true))));
    server = await(vertx.createHttpServer().requestHandler(router.build())
        .invalidRequestHandler(InvalidRequests::answer).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String uri, String body) throws Exception {
    var request = client.request(method, server.actualPort(), "127.0.0.1", uri);
    if (body == null) {
      return await(request.send());
    }
    return await(request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }

  private static JsonObject assertJsonError(int status, String code, HttpResponse<Buffer> response) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals("application/json", response.getHeader("Content-Type"));
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertEquals(code, error.getString("code"), response.bodyAsString());
    return error;
  }

  @ParameterizedTest
  @ValueSource(strings = {"/things?limit=%zz", "/things?offset=%", "/things?%zz=1", "/things?a=%E0%A4%A"})
  void undecodableQueryStringsAre400NotA5xx(String uri) throws Exception {
    assertJsonError(400, "validation_failed", send(HttpMethod.GET, uri, null));
  }

  @Test
  void aRouteWithALimitAnswers503WhenItsWorkIsNotDoneInTime() throws Exception {
    HttpResponse<Buffer> silent = send(HttpMethod.GET, "/silent", null);
    assertJsonError(503, "dependency_unavailable", silent);
    assertEquals("1", silent.getHeader("Retry-After"));
    assertEquals(200, send(HttpMethod.GET, "/prompt", null).statusCode());
  }

  @Test
  void undecodablePathsAreAJsonError() throws Exception {
    assertJsonError(400, "validation_failed", send(HttpMethod.GET, "/things/%zz", null));
  }

  @Test
  void largeOffsetsUpToTheIntRangeAreFine() throws Exception {
    assertEquals(200, send(HttpMethod.GET, "/things?offset=2147483647", null).statusCode());
    JsonObject error = assertJsonError(400, "validation_failed", send(HttpMethod.GET, "/things?offset=2147483648", null));
    assertEquals("must be an integer from 0 to 2147483647",
        error.getJsonArray("details").getJsonObject(0).getString("message"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/* c */ {\"name\":\"x\"}", "{\"name\":\"x\",\"name\":\"y\"}", "{\"name\":\"x\"} trailing",
      "{\"name\":\"x\"} {\"name\":\"y\"}", "{'name':'x'}"})
  void onlyStrictJsonIsAccepted(String body) throws Exception {
    assertJsonError(400, "validation_failed", send(HttpMethod.POST, "/things", body));
    assertEquals(201, send(HttpMethod.POST, "/things", "{\"name\":\"x\"}").statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"4294967297", "9223372036854775807", "99999999999999999999", "-1", "1.0", "\"1\""})
  void integersOutOfRangeSayTheRange(String count) throws Exception {
    JsonObject error = assertJsonError(400, "validation_failed",
        send(HttpMethod.POST, "/things", "{\"name\":\"x\",\"count\":" + count + "}"));
    assertEquals("must be an integer from 0 to 2147483647",
        error.getJsonArray("details").getJsonObject(0).getString("message"));
  }

  @Test
  void thousandsOfUnknownFieldsGetABoundedAnswer() throws Exception {
    JsonObject body = new JsonObject().put("name", "x");
    for (int i = 0; i < 3000; i++) {
      body.put("f" + i, i);
    }
    JsonObject error = assertJsonError(400, "validation_failed", send(HttpMethod.POST, "/things", body.encode()));
    assertEquals(50, error.getJsonArray("details").size());
  }

  @Test
  void requestsTheDecoderCannotReadGetJsonErrors() throws Exception {
    assertJsonError(414, "uri_too_long", send(HttpMethod.GET, "/things/" + "x".repeat(10_000), null));
    HttpResponse<Buffer> bigHeaders = await(client.get(server.actualPort(), "127.0.0.1", "/things")
        .putHeader("X-Big", "y".repeat(20_000)).send());
    assertJsonError(431, "headers_too_large", bigHeaders);
    String raw = rawExchange("GET /things HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");
    assertTrue(raw.startsWith("HTTP/1.1 400"), raw);
    assertTrue(raw.contains("\"code\":\"bad_request\""), raw);
  }

  @Test
  void oversizeBodiesAre413() throws Exception {
    String huge = "{\"name\":\"" + "x".repeat(70_000) + "\"}";
    assertJsonError(413, "payload_too_large", send(HttpMethod.POST, "/things", huge));
  }

  @Test
  void unknownRoutesAndMethods() throws Exception {
    assertJsonError(404, "not_found", send(HttpMethod.GET, "/nothing", null));
    HttpResponse<Buffer> delete = send(HttpMethod.DELETE, "/things", null);
    assertJsonError(405, "method_not_allowed", delete);
    assertEquals("GET, HEAD, POST", delete.getHeader("Allow"));
    HttpResponse<Buffer> head = send(HttpMethod.HEAD, "/things?limit=5", null);
    assertEquals(200, head.statusCode());
    assertEquals(null, head.body());
    assertJsonError(404, "thing_not_found", send(HttpMethod.GET, "/things/1", null));
  }

  private static String rawExchange(String request) throws Exception {
    NetClient net = vertx.createNetClient();
    try {
      var socket = await(net.connect(server.actualPort(), "127.0.0.1"));
      var answer = io.vertx.core.Promise.<String>promise();
      Buffer received = Buffer.buffer();
      socket.handler(received::appendBuffer);
      socket.closeHandler(v -> answer.tryComplete(received.toString()));
      socket.write(request);
      vertx.setTimer(5_000, t -> answer.tryComplete(received.toString()));
      return await(answer.future());
    } finally {
      net.close();
    }
  }
}
