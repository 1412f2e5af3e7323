package com.reactiveshop.nats.discovery;

import com.reactiveshop.common.discovery.Discovery;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.nats.NatsBridge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two "processes" (each its own Vert.x instance and NATS connection) share discovery records through one embedded
 * nats-server's KV bucket.
 */
class NatsKvDiscoveryBackendTest {

  private static EmbeddedNats nats;
  private final List<Process> processes = new ArrayList<>();

  /** One simulated process: a Vert.x instance, its NATS connection and a service discovery on the KV backend. */
  private record Process(Vertx vertx, NatsBridge bridge, ServiceDiscovery discovery) {
  }

  @BeforeAll
  static void startNats() {
    nats = EmbeddedNats.start(0, null);
  }

  @AfterAll
  static void stopNats() {
    nats.close();
  }

  @BeforeEach
  void reset() {
    processes.clear();
  }

  @AfterEach
  void stopProcesses() {
    for (Process process : processes) {
      try {
        process.discovery().close();
        await(process.bridge().close());
      } catch (RuntimeException ignored) {
        // already dead in the expiry test
      }
      await(process.vertx().close());
    }
  }

  private Process process(String bucket, Duration ttl) {
    Vertx vertx = Vertx.vertx();
    NatsBridge bridge = await(NatsBridge.connect(vertx, nats.url(), "discovery-test"));
    NatsDiscovery.register(vertx, bridge);
    ServiceDiscovery discovery = Discovery.create(vertx, NatsDiscovery.backendConfig(bucket, ttl));
    Process process = new Process(vertx, bridge, discovery);
    processes.add(process);
    return process;
  }

  private static Record endpoint(String name, int port) {
    return HttpEndpoint.createRecord(name, "127.0.0.1", port, "/", new JsonObject().put("api", "/api/users"));
  }

  private static List<Record> all(Process process) {
    return await(process.discovery().getRecords(r -> true, true));
  }

  private static boolean holds(Process process, String registration) {
    return all(process).stream().anyMatch(r -> registration.equals(r.getRegistration()));
  }

  @Test
  void recordPublishedInOneProcessIsSeenByAnother() {
    Process a = process("discovery-shared", NatsDiscovery.DEFAULT_TTL);
    Process b = process("discovery-shared", NatsDiscovery.DEFAULT_TTL);

    Record published = await(a.discovery().publish(endpoint("user-service", 3001)));
    assertNotNull(published.getRegistration());

    Record seen = await(b.discovery().getRecord(new JsonObject().put("name", "user-service")));
    assertNotNull(seen, "process b sees the record of process a");
    assertEquals(published.getRegistration(), seen.getRegistration());
    assertEquals(Status.UP, seen.getStatus());
    assertEquals("/api/users", seen.getMetadata().getString("api"));
    assertEquals(3001, seen.getLocation().getInteger("port"));

    await(a.discovery().unpublish(published.getRegistration()));
    assertTrue(!holds(b, published.getRegistration()), "unpublished record is gone for process b");
  }

  @Test
  void unpublishingAnUnknownRegistrationFails() {
    Process a = process("discovery-shared", NatsDiscovery.DEFAULT_TTL);
    assertThrows(RuntimeException.class, () -> await(a.discovery().unpublish("no-such-registration")));
  }

  @Test
  void recordsThatAreNotUpAreNotReturned() {
    Process a = process("discovery-status", NatsDiscovery.DEFAULT_TTL);
    Process b = process("discovery-status", NatsDiscovery.DEFAULT_TTL);
    Record published = await(a.discovery().publish(endpoint("product-service", 3002)));
    assertTrue(holds(b, published.getRegistration()));

    await(a.discovery().update(new Record(published).setStatus(Status.OUT_OF_SERVICE)));
    assertTrue(!holds(b, published.getRegistration()), "an OUT_OF_SERVICE record is not listed");
    assertNull(await(b.discovery().getRecord(r -> r.getRegistration().equals(published.getRegistration()), true)));

    await(a.discovery().unpublish(published.getRegistration()));
  }

  @Test
  void recordsOutliveTheTtlWhileTheirProcessLivesAndExpireWhenItDies() throws InterruptedException {
    Duration ttl = Duration.ofSeconds(2);
    Process observer = process("discovery-ttl", ttl);
    Process doomed = process("discovery-ttl", ttl);
    Record kept = await(doomed.discovery().publish(endpoint("order-service", 3003)));
    assertTrue(holds(observer, kept.getRegistration()));

    // Well past one TTL: the heartbeat keeps the record alive.
    Thread.sleep(ttl.multipliedBy(2).plusMillis(500).toMillis());
    assertTrue(holds(observer, kept.getRegistration()), "a live process's record survives its TTL");

    // Die without unpublishing: the connection and the Vert.x instance go away.
    closeAbruptly(doomed);
    await(doomed.vertx().close());
    processes.remove(doomed);

    assertTrue(eventually(Duration.ofSeconds(15), () -> !holds(observer, kept.getRegistration())),
        "the record of a dead process expires");
  }

  @Test
  void recordsOfAVerticleUndeployedWithoutUnpublishingExpire() {
    Duration ttl = Duration.ofSeconds(2);
    Process observer = process("discovery-ttl", ttl);
    Process host = process("discovery-ttl", ttl);
    List<Record> published = new ArrayList<>();
    // A verticle that publishes on start and "forgets" to unpublish on stop (say, NATS was down at that moment).
    String deployment = await(host.vertx().deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        ServiceDiscovery own = Discovery.create(vertx, NatsDiscovery.backendConfig("discovery-ttl", ttl));
        return own.publish(endpoint("forgetful-service", 3009)).onSuccess(published::add);
      }
    }));
    String registration = published.get(0).getRegistration();
    assertTrue(holds(observer, registration));

    await(host.vertx().undeploy(deployment));
    assertTrue(eventually(Duration.ofSeconds(15), () -> !holds(observer, registration)),
        "the record of an undeployed verticle expires");
  }

  private static void closeAbruptly(Process process) {
    try {
      process.bridge().connection().close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
