package com.reactiveshop.nats;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.embedded.EmbeddedNats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.service.ServiceMessage;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overload does not feed on itself: requests whose caller gave up are dropped before any work, and requests beyond
 * the in-flight limit are refused at once with 503 {@code overloaded}. Vert.x runs with metrics here, so the drop
 * counters are checked in the registry too.
 */
class NatsOverloadTest {

  private static final Duration BOUND = Duration.ofSeconds(20);

  private static EmbeddedNats server;
  private static Vertx vertx;
  private static NatsBridge bridge;

  @BeforeAll
  static void start() {
    server = EmbeddedNats.start(0, null);
    vertx = Metrics.newVertx();
    bridge = await(NatsBridge.connect(vertx, server.url(), "overload-test"));
  }

  @AfterAll
  static void stop() throws Exception {
    await(bridge.close());
    await(vertx.close());
    server.close();
  }

  private static <T> Future<T> onContext(Context context, Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  private static NatsMicroService startService(Context context, String name, NatsEndpoint endpoint, int maxInFlight) {
    return await(onContext(context, () -> NatsMicroService.start(bridge, context, name, "1.0.0", "overload test",
        List.of(endpoint), maxInFlight)));
  }

  /** A raw jnats request, so the test controls the headers and sees the reply's. */
  private static CompletableFuture<Message> rawRequest(String subject, Headers headers, String body,
                                                       Duration timeout) {
    return bridge.connection().requestWithTimeout(subject, headers, body.getBytes(StandardCharsets.UTF_8), timeout);
  }

  private static Headers deadline(String value) {
    return new Headers().put(RequestDeadline.HEADER, value);
  }

  private static double dropped(String service, String reason) {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    assertNotNull(registry, "Vert.x runs with metrics in this test");
    Counter counter = registry.find("nats.requests.dropped").tags("service", service, "reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aRequestWhoseDeadlineHasPassedIsNeitherHandledNorAnswered() throws Exception {
    Context context = vertx.getOrCreateContext();
    List<JsonObject> handled = new CopyOnWriteArrayList<>();
    NatsMicroService micro = startService(context, "deadline-service", new NatsEndpoint("work", "test.deadline",
        request -> {
          handled.add(request);
          return Future.succeededFuture(new JsonObject().put("did", request.getString("name")));
        }), NatsMicroService.DEFAULT_MAX_IN_FLIGHT);
    try {
      long now = System.currentTimeMillis();
      // Sent first: a subscription's messages are handed over in order, so had it been handled, it would have been
      // handled before the ones below are answered.
      CompletableFuture<Message> expired = rawRequest("test.deadline", deadline(Long.toString(now - 60_000)),
          "{\"name\":\"expired\"}", Duration.ofSeconds(2));
      Message none = rawRequest("test.deadline", null, "{\"name\":\"none\"}", BOUND).get(30, TimeUnit.SECONDS);
      Message future = rawRequest("test.deadline", deadline(Long.toString(now + 60_000)), "{\"name\":\"future\"}",
          BOUND).get(30, TimeUnit.SECONDS);
      Message garbled = rawRequest("test.deadline", deadline("soon"), "{\"name\":\"garbled\"}", BOUND)
          .get(30, TimeUnit.SECONDS);

      assertEquals("none", json(none).getString("did"));
      assertEquals("future", json(future).getString("did"));
      assertEquals("garbled", json(garbled).getString("did"), "an unparsable deadline is no deadline");
      // No reply: the request times out on the requester's side (jnats cancels its future).
      assertThrows(Exception.class, () -> expired.get(30, TimeUnit.SECONDS));
      assertEquals(List.of("none", "future", "garbled"), handled.stream().map(r -> r.getString("name")).toList());
      assertTrue(eventually(BOUND, () -> micro.droppedExpired() == 1), "dropped: " + micro.droppedExpired());
      assertEquals(1.0, dropped("deadline-service", "expired"));
      assertEquals(0, micro.handedOver());
      assertTrue(((PrometheusMeterRegistry) BackendRegistries.getDefaultNow()).scrape()
          .contains("nats_requests_dropped_total{reason=\"expired\",service=\"deadline-service\"}"));

      // nats micro stats shows the drop as the endpoint's data.
      JsonObject stats = json(rawRequest("$SRV.STATS.deadline-service." + micro.id(), null, "", BOUND)
          .get(30, TimeUnit.SECONDS));
      JsonObject endpoint = stats.getJsonArray("endpoints").getJsonObject(0);
      assertEquals(1L, endpoint.getJsonObject("data").getLong("dropped_expired"), stats.encode());
      assertEquals(0L, endpoint.getJsonObject("data").getLong("dropped_overloaded"), stats.encode());
    } finally {
      await(onContext(context, micro::stop));
    }
  }

  @Test
  void aRequestThatExpiresWhileWaitingForTheContextIsDroppedThere() throws Exception {
    // A worker context may be blocked on purpose: it stands for an event loop too busy to get to the request.
    AtomicReference<Context> captured = new AtomicReference<>();
    String deployment = await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        captured.set(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
    Context worker = captured.get();
    List<JsonObject> handled = new CopyOnWriteArrayList<>();
    NatsMicroService micro = startService(worker, "late-service", new NatsEndpoint("work", "test.late",
        request -> {
          handled.add(request);
          return Future.succeededFuture(new JsonObject().put("did", request.getString("name")));
        }), NatsMicroService.DEFAULT_MAX_IN_FLIGHT);
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      worker.runOnContext(v -> {
        busy.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertTrue(busy.await(30, TimeUnit.SECONDS));

      long deadline = System.currentTimeMillis() + 3_000;
      // The requester waits longer than the deadline, so a reply sent by mistake after it would still arrive.
      CompletableFuture<Message> late = rawRequest("test.late", deadline(Long.toString(deadline)),
          "{\"name\":\"late\"}", Duration.ofSeconds(6));
      assertTrue(eventually(BOUND, () -> micro.handedOver() == 1), "the dispatcher hands it over in time");
      assertTrue(eventually(BOUND, () -> System.currentTimeMillis() > deadline));
      release.countDown();

      assertTrue(eventually(BOUND, () -> micro.droppedExpired() == 1), "dropped: " + micro.droppedExpired());
      assertEquals(0, micro.handedOver());
      assertThrows(Exception.class, () -> late.get(30, TimeUnit.SECONDS));
      assertTrue(handled.isEmpty(), handled.toString());
      // The service goes on answering.
      assertEquals("next", await(bridge.request("test.late", new JsonObject().put("name", "next"), BOUND))
          .getString("did"));
    } finally {
      release.countDown();
      await(onContext(worker, micro::stop));
      await(vertx.undeploy(deployment));
    }
  }

  @Test
  void beyondMaxInFlightARequestIsRefusedAtOnceAsOverloadedAndLaterOnesSucceedAgain() throws Exception {
    Context context = vertx.getOrCreateContext();
    List<Promise<JsonObject>> held = new CopyOnWriteArrayList<>();
    NatsMicroService micro = startService(context, "busy-service", new NatsEndpoint("work", "test.busy",
        request -> {
          if (request.getBoolean("hold", false)) {
            Promise<JsonObject> promise = Promise.promise();
            held.add(promise);
            return promise.future();
          }
          return Future.succeededFuture(new JsonObject().put("did", request.getInteger("n")));
        }), 2);
    try {
      Future<JsonObject> first = bridge.request("test.busy", new JsonObject().put("hold", true).put("n", 1), BOUND);
      Future<JsonObject> second = bridge.request("test.busy", new JsonObject().put("hold", true).put("n", 2), BOUND);
      assertTrue(eventually(BOUND, () -> held.size() == 2));

      // Answered, not timed out: a timeout would be NatsUnavailableException.
      ApiError refused = assertThrows(ApiError.class,
          () -> await(bridge.request("test.busy", new JsonObject().put("n", 3), BOUND)));
      assertEquals(503, refused.status());
      assertEquals("overloaded", refused.code());

      Message raw = rawRequest("test.busy", null, "{\"n\":4}", BOUND).get(30, TimeUnit.SECONDS);
      assertEquals("503", raw.getHeaders().getFirst(ServiceMessage.NATS_SERVICE_ERROR_CODE));
      String errorHeader = raw.getHeaders().getFirst(ServiceMessage.NATS_SERVICE_ERROR);
      assertTrue(errorHeader != null && !errorHeader.isBlank(), String.valueOf(errorHeader));
      JsonObject error = json(raw).getJsonObject("error");
      assertEquals("overloaded", error.getString("code"));
      assertEquals(errorHeader, error.getString("message"));
      assertEquals(List.of("code", "message"), List.copyOf(error.fieldNames()));
      assertFalse(first.isComplete() || second.isComplete(), "the refusals did not wait for the held requests");

      context.runOnContext(v -> held.forEach(p -> p.complete(new JsonObject().put("released", true))));
      assertEquals(new JsonObject().put("released", true), await(first));
      assertEquals(new JsonObject().put("released", true), await(second));
      assertEquals(5, await(bridge.request("test.busy", new JsonObject().put("n", 5), BOUND)).getInteger("did"));
      assertEquals(6, await(bridge.request("test.busy", new JsonObject().put("n", 6), BOUND)).getInteger("did"));

      assertEquals(2, micro.refusedOverloaded());
      assertEquals(0, micro.droppedExpired());
      assertEquals(2.0, dropped("busy-service", "overloaded"));
      assertTrue(eventually(BOUND, () -> micro.handedOver() == 0));
    } finally {
      held.forEach(p -> context.runOnContext(v -> p.tryComplete(new JsonObject())));
      await(onContext(context, micro::stop));
    }
  }

  /**
   * With an answer limit, a request whose work is not done in time is answered 503, and its work keeps its slot until
   * it is done: the limit bounds the caller's wait, the slots go on bounding the work.
   */
  @Test
  void aRequestNotDoneWithinTheLimitIs503AndItsWorkKeepsItsSlotUntilDone() throws Exception {
    Context context = vertx.getOrCreateContext();
    // Completed from the test's thread: like a store's future, it carries no context.
    Promise<JsonObject> work = Promise.promise();
    NatsMicroService micro = await(onContext(context, () -> NatsMicroService.start(bridge, context, "limited-service",
        "1.0.0", "limit test", List.of(new NatsEndpoint("work", "test.limited", request -> work.future())), 1, 300)));
    try {
      ApiError late = assertThrows(ApiError.class,
          () -> await(bridge.request("test.limited", new JsonObject(), BOUND)));
      assertEquals(503, late.status());
      assertEquals("dependency_unavailable", late.code());
      ApiError refused = assertThrows(ApiError.class,
          () -> await(bridge.request("test.limited", new JsonObject(), BOUND)));
      assertEquals("overloaded", refused.code(), "the first request's work still holds the only slot");

      work.complete(new JsonObject().put("done", true));
      assertTrue(eventually(BOUND, () -> micro.handedOver() == 0));
      assertEquals(new JsonObject().put("done", true), await(bridge.request("test.limited", new JsonObject(), BOUND)));
    } finally {
      work.tryComplete(new JsonObject());
      await(onContext(context, micro::stop));
    }
  }

  @Test
  void malformedPayloadsAndHandlerErrorsStillAnswerWithTheirStatusAndGiveTheirSlotBack() throws Exception {
    Context context = vertx.getOrCreateContext();
    NatsMicroService micro = startService(context, "strict-service", new NatsEndpoint("work", "test.strict",
        request -> request.containsKey("missing")
            ? Future.failedFuture(ApiError.notFound("thing_not_found", "No such thing."))
            : Future.succeededFuture(new JsonObject().put("ok", true))), 1);
    try {
      // With one slot, each of these would be refused as overloaded if an earlier one had kept its slot.
      Message malformed = rawRequest("test.strict", null, "{not json", BOUND).get(30, TimeUnit.SECONDS);
      assertEquals("400", malformed.getHeaders().getFirst(ServiceMessage.NATS_SERVICE_ERROR_CODE));
      assertEquals("validation_failed", json(malformed).getJsonObject("error").getString("code"));

      ApiError notFound = assertThrows(ApiError.class,
          () -> await(bridge.request("test.strict", new JsonObject().put("missing", 1), BOUND)));
      assertEquals(404, notFound.status());
      assertEquals("thing_not_found", notFound.code());

      assertEquals(new JsonObject().put("ok", true), await(bridge.request("test.strict", new JsonObject(), BOUND)));
      assertEquals(0, micro.refusedOverloaded());
    } finally {
      await(onContext(context, micro::stop));
    }
  }

  private static JsonObject json(Message message) {
    return new JsonObject(new String(message.getData(), StandardCharsets.UTF_8));
  }
}
