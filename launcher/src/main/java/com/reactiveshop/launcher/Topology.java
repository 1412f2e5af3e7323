package com.reactiveshop.launcher;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.service.HttpService;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.common.tracing.Tracing;
import com.reactiveshop.gateway.GatewayVerticle;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.NatsMicroService;
import com.reactiveshop.nats.discovery.NatsDiscovery;
import com.reactiveshop.order.OrderSettings;
import com.reactiveshop.order.OrderVerticle;
import com.reactiveshop.product.ProductVerticle;
import com.reactiveshop.user.UserVerticle;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The only place that knows the topology: which verticles run in this process, on which ports, against which
 * infrastructure, in what order they start (dependencies first) and stop (entry points first).
 */
public final class Topology {

  private static final Logger LOG = LoggerFactory.getLogger(Topology.class);

  /**
   * Per start step (the NATS connection; the services, deployed side by side); a step that takes longer is reported
   * as a failure.
   */
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
  /**
   * A service's own stop: its record's grace (unless withdrawn already), HTTP requests in flight, then NATS requests
   * in flight; and a margin for its tasks and clients.
   */
  private static final Duration UNDEPLOY_TIMEOUT = Duration.ofMillis(ServiceSettings.GATEWAY_GRACE_MS
      + HttpService.SHUTDOWN_GRACE_MS + NatsMicroService.STOP_WAIT.toMillis() + 5_000);

  private final Vertx vertx;
  /** Null when the process does not trace. */
  private final OpenTelemetrySdk openTelemetry;
  private NatsBridge nats;
  private final List<String> deployments = new ArrayList<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();

  private Topology(Vertx vertx, OpenTelemetrySdk openTelemetry) {
    this.vertx = vertx;
    this.openTelemetry = openTelemetry;
  }

  /**
   * Connects to NATS and deploys the chosen services, dependencies first, blocking the calling thread (never a Vert.x
   * thread). Each step is bounded; {@code cancelled} is checked between steps (a stop was asked for). On any failure
   * what was deployed is stopped again before a {@link StartFailure} naming the step is thrown.
   */
  public static Topology start(LaunchOptions options, Infrastructure infra, BooleanSupplier cancelled)
      throws StartFailure {
    // Resolved here, on the launching thread: looking up this machine's address may block.
    String host = advertisedHost(options);
    OpenTelemetrySdk openTelemetry = TracingFromEnv.create(options.env(), TracingFromEnv.serviceName(options));
    if (openTelemetry != null) {
      LOG.info("Tracing on: spans of service {} are exported as the OTEL_* variables say",
          TracingFromEnv.serviceName(options));
    }
    Vertx vertx = Tracing.newVertx(new VertxOptions(), openTelemetry);
    Topology topology = new Topology(vertx, openTelemetry);
    try {
      topology.nats = await(NatsBridge.connect(vertx, infra.natsUrl(),
          "reactive-shop " + String.join(",", options.services())), STEP_TIMEOUT, "connect to NATS at "
          + Redactions.uri(infra.natsUrl()));
      topology.deployAll(options, infra, host, cancelled);
      return topology;
    } catch (StartFailure | RuntimeException e) {
      topology.stopBlocking();
      throw e instanceof StartFailure failure ? failure : new StartFailure(Failures.describe(e), e);
    }
  }

  private record Started(String service, int port, int instances, Future<String> deployment) {
  }

  /**
   * The services do not need each other to start (they find each other over NATS at request time), so they are
   * deployed side by side; each is then waited for in the usual order, so the deployments are recorded (and later
   * undeployed) in that order. A failure is thrown once every deployment has ended: what did start is undeployed by
   * the caller.
   */
  private void deployAll(LaunchOptions options, Infrastructure infra, String host, BooleanSupplier cancelled)
      throws StartFailure {
    JsonObject discovery = discoveryBackend(options);
    if (cancelled.getAsBoolean()) {
      throw new StartFailure("stopped before the services were started", null);
    }
    List<Started> started = new ArrayList<>();
    CacheSettings cache = CacheSettings.fromEnv(options.env());
    for (String service : LaunchOptions.ALL) {
      if (!options.runs(service)) {
        continue;
      }
      int port = options.servicePort(service);
      ServiceSettings settings = new ServiceSettings(port, host, discovery);
      Supplier<? extends Deployable> verticle = switch (Part.of(service)) {
        case USER -> () -> new UserVerticle(nats, infra.mongoUri(), settings, cache);
        case PRODUCT -> () -> new ProductVerticle(nats, infra.mongoUri(), settings, cache);
        case ORDER -> {
          Map<String, String> env = new HashMap<>(options.env());
          env.put("PG_URI", infra.pgUri());
          OrderSettings orderSettings = OrderSettings.fromEnv(env);
          yield () -> new OrderVerticle(nats, orderSettings, settings);
        }
        case GATEWAY -> () -> new GatewayVerticle("0.0.0.0", port, discovery, nats);
      };
      int instances = options.instancesOf(service);
      started.add(new Started(service, port, instances,
          vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))));
    }
    StartFailure failure = null;
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    for (Started each : started) {
      try {
        record(options, each, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      } catch (StartFailure e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void record(LaunchOptions options, Started started, Duration timeLeft) throws StartFailure {
    String service = started.service();
    try {
      String id = await(started.deployment(), timeLeft, "start " + Failures.serviceName(service));
      deployments.add(id);
      ports.put(service, started.port());
      LOG.info("Deployed {} ({} instance{}) on port {}", service, started.instances(),
          started.instances() == 1 ? "" : "s", started.port());
    } catch (StartFailure e) {
      throw new StartFailure("Could not start " + Failures.serviceName(service) + ": "
          + Failures.describe(e.getCause() != null ? e.getCause() : e, started.port(),
          options.portVariables(service)), e.getCause());
    }
  }

  /** The result of a Vert.x future, waited for on this (non-Vert.x) thread for at most {@code timeout}. */
  private static <T> T await(Future<T> future, Duration timeout, String what) throws StartFailure {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new StartFailure("Could not " + what + ": no answer within the " + STEP_TIMEOUT.toSeconds()
          + " s a start step may take", e);
    } catch (ExecutionException e) {
      throw new StartFailure("Could not " + what + ": " + Failures.describe(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartFailure("Could not " + what + ": interrupted", e);
    }
  }

  /**
   * The host other processes should use to reach this one: {@code ADVERTISED_HOST}, else loopback when everything is
   * local (embedded NATS), else this machine's address (a container's own IP in Docker Compose).
   */
  private static String advertisedHost(LaunchOptions options) {
    if (options.env("ADVERTISED_HOST") != null) {
      return options.env("ADVERTISED_HOST");
    }
    if (options.env("NATS_URL") == null) {
      return "127.0.0.1";
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  /** Discovery records live in a NATS key-value bucket, so every process (and the gateway) sees every service. */
  private JsonObject discoveryBackend(LaunchOptions options) {
    NatsDiscovery.register(vertx, nats);
    String ttl = options.env("DISCOVERY_TTL_SECONDS");
    return ttl == null ? NatsDiscovery.backendConfig()
        : NatsDiscovery.backendConfig(NatsDiscovery.DEFAULT_BUCKET, Duration.ofSeconds(Long.parseLong(ttl)));
  }

  public Map<String, Integer> ports() {
    return ports;
  }

  public String natsUrl() {
    return nats.connection().getConnectedUrl();
  }

  /**
   * Withdraws every service's discovery record and waits one grace while all keep serving, then undeploys the last
   * deployed first (each verticle stops taking HTTP and NATS requests and finishes what is in flight, then stops its
   * relays and retriers; the services it calls are still up), then drains and closes the NATS connection and Vert.x. Blocks the calling thread (never a Vert.x thread); every step is bounded.
   */
  public void stopBlocking() {
    if (!deployments.isEmpty()) {
      // Every record at once and one grace for all, rather than one grace per service as each stops in turn.
      quietly(HttpService.withdrawAll(vertx), Duration.ofSeconds(10), "withdraw the discovery records");
    }
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      quietly(vertx.undeploy(id), UNDEPLOY_TIMEOUT, "stop a service");
    }
    deployments.clear();
    if (nats != null) {
      quietly(nats.close(), Duration.ofSeconds(10), "close the NATS connection");
    }
    NatsDiscovery.unregister(vertx);
    // vertx.close() answers on a plain promise, so waiting for it from this thread is safe after the loops are gone.
    quietly(vertx.close(), Duration.ofSeconds(10), "close Vert.x");
    if (openTelemetry != null) {
      // Last: sends the spans still buffered, the stop's own included.
      openTelemetry.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  private static void quietly(Future<?> future, Duration timeout, String what) {
    try {
      future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("Could not {} within {} s", what, timeout.toSeconds());
    } catch (ExecutionException e) {
      LOG.warn("Could not {} cleanly: {}", what, Failures.describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("Interrupted while waiting to {}", what);
    }
  }

  /** A start that failed; the message is one line for the user. */
  public static final class StartFailure extends Exception {
    public StartFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
