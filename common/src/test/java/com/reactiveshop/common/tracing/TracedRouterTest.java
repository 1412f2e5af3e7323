package com.reactiveshop.common.tracing;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.http.ApiRouter;
import com.reactiveshop.common.http.Reply;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared HTTP layer on a traced and on an untraced Vert.x: the traced one names its server spans after the route
 * and answers with the trace id (header, and error.traceId in error bodies); the untraced one adds neither.
 */
class TracedRouterTest {

  private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  private static OpenTelemetrySdk sdk;
  private static Vertx traced;
  private static Vertx untraced;
  private static int tracedPort;
  private static int untracedPort;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build()).build();
    traced = Tracing.newVertx(sdk);
    untraced = Tracing.newVertx(null);
    tracedPort = serve(traced);
    untracedPort = serve(untraced);
    client = WebClient.create(untraced);
  }

  private static int serve(Vertx vertx) throws Exception {
    ApiRouter router = ApiRouter.create(vertx);
    router.get("/things/:id", ctx -> "0".equals(ctx.pathParam("id"))
        ? Future.failedFuture(ApiError.notFound("thing_not_found", "No thing."))
        : Future.succeededFuture(Reply.ok(new JsonObject().put("id", ctx.pathParam("id")))));
    HttpServer server = await(vertx.createHttpServer().requestHandler(router.build()).listen(0, "127.0.0.1"));
    return server.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    await(traced.close());
    await(untraced.close());
    sdk.close();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> get(int port, String path) throws Exception {
    return await(client.get(port, "127.0.0.1", path).send());
  }

  @Test
  void aTracedRouterNamesItsSpansAndAnswersWithTheTraceId() throws Exception {
    assertTrue(Tracing.active());
    HttpResponse<Buffer> found = get(tracedPort, "/things/42");
    assertEquals(200, found.statusCode());
    String traceId = found.getHeader(Tracing.TRACE_ID_HEADER);
    assertTrue(traceId != null && traceId.matches("[0-9a-f]{32}"), String.valueOf(traceId));

    HttpResponse<Buffer> missing = get(tracedPort, "/things/0");
    assertEquals(404, missing.statusCode());
    JsonObject error = missing.bodyAsJsonObject().getJsonObject("error");
    assertEquals("thing_not_found", error.getString("code"));
    assertEquals(missing.getHeader(Tracing.TRACE_ID_HEADER), error.getString("traceId"));

    List<SpanData> servers = SPANS.getFinishedSpanItems().stream()
        .filter(span -> span.getKind() == SpanKind.SERVER && span.getTraceId().equals(traceId)).toList();
    assertEquals(1, servers.size(), servers.toString());
    assertEquals("GET /things/:id", servers.get(0).getName());
    assertEquals("/things/:id", servers.get(0).getAttributes().get(AttributeKey.stringKey("http.route")));
  }

  @Test
  void anUntracedRouterAddsNothing() throws Exception {
    int before = SPANS.getFinishedSpanItems().size();
    HttpResponse<Buffer> missing = get(untracedPort, "/things/0");
    assertEquals(404, missing.statusCode());
    assertNull(missing.getHeader(Tracing.TRACE_ID_HEADER));
    assertFalse(missing.bodyAsJsonObject().getJsonObject("error").containsKey("traceId"));
    assertNull(Tracing.of(untraced));
    assertEquals(before, SPANS.getFinishedSpanItems().size(), "the untraced Vert.x exports nothing");
  }
}
