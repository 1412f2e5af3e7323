package com.reactiveshop.common.service;

import com.reactiveshop.common.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The host's order, with a fake service whose every step records itself: start order, stop order, and what a start
 * that fails at each point stops again before it fails.
 */
class ServiceHostTest {

  private static final List<String> STARTED = List.of("prepare", "start relay", "start retrier", "start endpoints",
      "start sweeper");
  /** Everything a full start leaves to stop, in stop order. */
  private static final List<String> STOPPED = List.of("stop endpoints", "stop relay", "stop retrier", "stop sweeper",
      "flush writes", "close cache", "close client");

  private Vertx vertx;
  private final List<String> steps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  /** A service whose steps record themselves; the one named {@code failing} fails. */
  private final class FakeService extends ServiceHost {

    private final String failing;
    /** Set once started: the endpoints' stop records whether the HTTP server still takes connections. */
    private volatile int servedPort;

    FakeService(String failing, int port) {
      super(new ServiceIdentity("fake-service", "1.0.0", "/api/fakes", "Fakes"), ServiceSettings.local(port));
      this.failing = failing;
    }

    @Override
    protected void declare(ServiceDeclaration service) {
      service.closing("client", client -> step("close client"));
      service.closing("cache", cache -> step("close cache"));
      if ("declare".equals(failing)) {
        throw new IllegalStateException("declare failed");
      }
      service.routes(router -> router.get("/api/fakes", ctx -> Future.succeededFuture(Reply.ok(new JsonObject()))))
          .prepare(() -> step("prepare"))
          .startBeforeServing(() -> step("start relay"), () -> step("stop relay"))
          .runBeforeServing(() -> run("start retrier"), () -> step("stop retrier"))
          .endpoints((context, identity, limitMs) -> step("start endpoints").map(v -> new MessageEndpoints.Running() {
            @Override
            public String id() {
              return "fake-id";
            }

            @Override
            public Future<Void> stop() {
              if (servedPort == 0) {
                return step("stop endpoints");
              }
              return vertx.createNetClient().connect(servedPort, "127.0.0.1")
                  .transform(connected -> step(connected.failed() ? "stop endpoints" : "stop endpoints, HTTP up"));
            }
          }))
          .runOnceServing(() -> run("start sweeper"), () -> step("stop sweeper"))
          .finishing(() -> step("flush writes"));
    }

    private Future<Void> step(String name) {
      steps.add(name);
      return name.equals(failing) ? Future.failedFuture(new IllegalStateException(name + " failed"))
          : Future.succeededFuture();
    }

    private void run(String name) {
      steps.add(name);
      if (name.equals(failing)) {
        throw new IllegalStateException(name + " failed");
      }
    }
  }

  @Test
  void startsInOrderServesAndStopsHttpFirstThenEndpointsTasksAndClosesLastOpenedFirst() throws Exception {
    FakeService service = new FakeService(null, 0);
    String id = await(vertx.deployVerticle(service));
    assertEquals(STARTED, steps);
    assertEquals("fake-id", service.endpointsId());
    WebClient client = WebClient.create(vertx);
    assertEquals(200, await(client.get(service.httpPort(), "127.0.0.1", "/api/fakes").send()).statusCode());
    assertEquals(200, await(client.get(service.httpPort(), "127.0.0.1", "/health/ready").send()).statusCode());
    service.servedPort = service.httpPort();
    steps.clear();

    await(vertx.undeploy(id));
    assertEquals(STOPPED, steps);
  }

  @Test
  void aFailedStepBeforeServingStopsWhatStartedAndClosesEverything() {
    assertStartFails(new FakeService("start retrier", 0), "start retrier failed",
        List.of("prepare", "start relay", "start retrier", "stop relay", "flush writes", "close cache",
            "close client"));
  }

  @Test
  void endpointsThatDoNotStartLeaveNoTaskRunning() {
    assertStartFails(new FakeService("start endpoints", 0), "start endpoints failed",
        List.of("prepare", "start relay", "start retrier", "start endpoints",
            "stop relay", "stop retrier", "flush writes", "close cache", "close client"));
  }

  @Test
  void anHttpServerThatCannotListenStopsTheEndpoints() throws Exception {
    HttpServer busy = await(vertx.createHttpServer().requestHandler(request -> request.response().end())
        .listen(0, "0.0.0.0"));
    assertStartFails(new FakeService(null, busy.actualPort()), null,
        List.of("prepare", "start relay", "start retrier", "start endpoints",
            "stop endpoints", "stop relay", "stop retrier", "flush writes", "close cache", "close client"));
  }

  @Test
  void aBackgroundTaskThatFailsToStartStopsTheServiceAgain() {
    assertStartFails(new FakeService("start sweeper", 0), "start sweeper failed",
        List.of("prepare", "start relay", "start retrier", "start endpoints", "start sweeper",
            "stop endpoints", "stop relay", "stop retrier", "flush writes", "close cache", "close client"));
  }

  @Test
  void aDeclarationThatThrowsClosesWhatItOpened() {
    assertStartFails(new FakeService("declare", 0), "declare failed", List.of("close cache", "close client"));
  }

  @Test
  void aFailedCloseDoesNotKeepTheOthersOpen() throws Exception {
    FakeService service = new FakeService("close cache", 0);
    String id = await(vertx.deployVerticle(service));
    steps.clear();
    await(vertx.undeploy(id).otherwiseEmpty());
    assertEquals(STOPPED, steps);
  }

  /** The deployment fails with {@code message} (any, when null), after exactly {@code expected} happened. */
  private void assertStartFails(FakeService service, String message, List<String> expected) {
    ExecutionException failed = assertThrows(ExecutionException.class, () -> await(vertx.deployVerticle(service)));
    if (message != null) {
      assertEquals(message, failed.getCause().getMessage());
    }
    assertEquals(expected, steps);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
