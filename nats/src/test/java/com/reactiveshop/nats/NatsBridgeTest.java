package com.reactiveshop.nats;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.embedded.EmbeddedNats;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static com.reactiveshop.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge's promises: replies on the caller's context, error replies as ApiError, no answer as unavailable. */
class NatsBridgeTest {

  private static EmbeddedNats server;
  private static Vertx vertx;
  private static NatsBridge bridge;

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedNats.start(0, null);
    vertx = Vertx.vertx();
    bridge = await(NatsBridge.connect(vertx, server.url(), "bridge-test"));
  }

  @AfterAll
  static void stop() throws Exception {
    await(bridge.close());
    await(vertx.close());
    server.close();
  }

  /** Runs {@code action} on a fresh event-loop context and returns that context with the action's result. */
  private static <T> Future<T> onContext(Context context, java.util.function.Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  @Test
  void handlersRunOnTheVerticleContextAndRepliesComeBackOnTheCallersContext() throws Exception {
    Context serviceContext = vertx.getOrCreateContext();
    AtomicReference<Context> handledOn = new AtomicReference<>();
    NatsMicroService micro = await(onContext(serviceContext, () -> NatsMicroService.start(bridge, serviceContext,
        "echo-service", "1.0.0", "echo", List.of(new NatsEndpoint("echo", "test.echo", request -> {
          handledOn.set(Vertx.currentContext());
          return Future.succeededFuture(new JsonObject().put("echo", request));
        })))));
    try {
      Context callerContext = vertx.getOrCreateContext();
      AtomicReference<Context> completedOn = new AtomicReference<>();
      JsonObject reply = await(onContext(callerContext, () -> bridge.request("test.echo",
          new JsonObject().put("a", 1), Duration.ofSeconds(5)).onComplete(ar -> completedOn.set(Vertx.currentContext()))));
      assertEquals(new JsonObject().put("echo", new JsonObject().put("a", 1)), reply);
      assertSame(serviceContext, handledOn.get());
      assertSame(callerContext, completedOn.get());
    } finally {
      await(onContext(serviceContext, micro::stop));
    }
  }

  @Test
  void errorRepliesBecomeApiErrorsWithTheirCodeAndDetails() throws Exception {
    Context context = vertx.getOrCreateContext();
    JsonArray details = new JsonArray().add(new JsonObject().put("productId", "p").put("requested", 2));
    NatsMicroService micro = await(onContext(context, () -> NatsMicroService.start(bridge, context,
        "failing-service", "1.0.0", "fails", List.of(
            new NatsEndpoint("conflict", "test.conflict", request -> Future.failedFuture(
                new ApiError(409, "insufficient_stock", "Not enough stock.", details, Map.of()))),
            new NatsEndpoint("bug", "test.bug", request -> {
              throw new IllegalStateException("boom");
            })))));
    try {
      ApiError conflict = assertThrows(ApiError.class,
          () -> await(bridge.request("test.conflict", new JsonObject(), Duration.ofSeconds(5))));
      assertEquals(409, conflict.status());
      assertEquals("insufficient_stock", conflict.code());
      assertEquals(details, conflict.details());

      ApiError bug = assertThrows(ApiError.class,
          () -> await(bridge.request("test.bug", new JsonObject(), Duration.ofSeconds(5))));
      assertEquals(500, bug.status());
      assertEquals("internal_error", bug.code());
    } finally {
      await(onContext(context, micro::stop));
    }
  }

  @Test
  void aSubjectNobodyServesFailsAsUnavailableWithoutWaitingForTheTimeout() throws Exception {
    // The timeout is far longer than the test's own await: only a no-responders answer can finish in time.
    Exception failure = assertThrows(Exception.class, () -> bridge.request("nobody.here", new JsonObject(),
        Duration.ofMinutes(5)).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertInstanceOf(NatsUnavailableException.class, failure.getCause(), String.valueOf(failure));
    assertTrue(failure.getCause().getMessage().contains("no responders"), failure.getCause().getMessage());
  }

  @Test
  void aServiceThatDoesNotAnswerInTimeFailsAsUnavailable() throws Exception {
    var silent = bridge.connection().createDispatcher(message -> { });
    silent.subscribe("test.silent", "q");
    try {
      // The deadline fires on the caller's context too, so code chained after the request stays on its event loop.
      Context callerContext = vertx.getOrCreateContext();
      AtomicReference<Context> failedOn = new AtomicReference<>();
      Exception failure = assertThrows(NatsUnavailableException.class, () -> await(onContext(callerContext,
          () -> bridge.request("test.silent", new JsonObject(), Duration.ofMillis(300))
              .onFailure(e -> failedOn.set(Vertx.currentContext())))));
      assertTrue(failure.getMessage().contains("no reply"), failure.getMessage());
      assertSame(callerContext, failedOn.get());
    } finally {
      bridge.connection().closeDispatcher(silent);
    }
  }

  @Test
  void requestsCarryTheirAbsoluteDeadlineAndTheCallersHeaders() throws Exception {
    BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
    var echo = bridge.connection().createDispatcher(message -> {
      seen.add(message);
      bridge.connection().publish(message.getReplyTo(), "{}".getBytes());
    });
    echo.subscribe("test.headers");
    try {
      long before = System.currentTimeMillis();
      await(bridge.request("test.headers", new JsonObject(), Duration.ofSeconds(5)));
      long after = System.currentTimeMillis();
      long deadline = deadlineOf(seen.poll(20, TimeUnit.SECONDS));
      assertTrue(deadline >= before + 5_000 && deadline <= after + 5_000,
          before + " <= " + deadline + " - 5000 <= " + after);

      // The caller's headers travel along; an earlier deadline of its own is kept (it passes on its client's).
      String callerDeadline = Long.toString(System.currentTimeMillis() + 60_000);
      Headers own = new Headers().put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          .put(RequestDeadline.HEADER, callerDeadline);
      await(bridge.request("test.headers", own, new JsonObject(), Duration.ofMinutes(2)));
      Message kept = seen.poll(20, TimeUnit.SECONDS);
      assertEquals(Long.parseLong(callerDeadline), deadlineOf(kept));
      assertEquals(own.getFirst("traceparent"), kept.getHeaders().getFirst("traceparent"));

      // A later one is not: this request gives up after its own timeout.
      before = System.currentTimeMillis();
      Headers later = new Headers().put(RequestDeadline.HEADER, Long.toString(before + 600_000));
      await(bridge.request("test.headers", later, new JsonObject(), Duration.ofSeconds(5)));
      assertTrue(deadlineOf(seen.poll(20, TimeUnit.SECONDS)) <= System.currentTimeMillis() + 5_000);
      assertEquals(Long.toString(before + 600_000), later.getFirst(RequestDeadline.HEADER),
          "the caller's headers are not changed");
      assertEquals(1, later.size());
    } finally {
      bridge.connection().closeDispatcher(echo);
    }
  }

  private static long deadlineOf(Message message) {
    assertNotNull(message, "the request reached the subscriber");
    return Long.parseLong(message.getHeaders().getFirst(RequestDeadline.HEADER));
  }
}
