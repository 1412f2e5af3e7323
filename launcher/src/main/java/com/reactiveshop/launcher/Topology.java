package com.reactiveshop.launcher;

import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.gateway.GatewayVerticle;
import com.reactiveshop.nats.discovery.NatsDiscovery;
import com.reactiveshop.order.OrderSettings;
import com.reactiveshop.order.OrderVerticle;
import com.reactiveshop.product.ProductVerticle;
import com.reactiveshop.user.UserVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The only place that knows the topology: which verticles run in this process, on which ports, against which
 * infrastructure, in what order they start (dependencies first) and stop (entry points first).
 */
public final class Topology {

  private static final Logger LOG = LoggerFactory.getLogger(Topology.class);

  private final Vertx vertx;
  private final NatsBridge nats;
  private final List<String> deployments = new ArrayList<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();

  private Topology(Vertx vertx, NatsBridge nats) {
    this.vertx = vertx;
    this.nats = nats;
  }

  public static Future<Topology> start(LaunchOptions options, Infrastructure infra) {
    // Resolved here, on the launching thread: looking up this machine's address may block.
    String host = advertisedHost(options);
    Vertx vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    return NatsBridge.connect(vertx, infra.natsUrl(), "reactive-shop " + String.join(",", options.services()))
        .compose(nats -> new Topology(vertx, nats).deployAll(options, infra, host))
        .recover(failure -> vertx.close().transform(ignored -> Future.failedFuture(failure)));
  }

  private Future<Topology> deployAll(LaunchOptions options, Infrastructure infra, String host) {
    JsonObject discovery = discoveryBackend(options);
    Future<Void> chain = Future.succeededFuture();
    if (options.runs("user")) {
      ServiceSettings settings = new ServiceSettings(options.httpPort("user", 3001), host, discovery);
      chain = chain.compose(v -> deploy(options, "user", settings.httpPort(),
          () -> new UserVerticle(nats, infra.mongoUri(), settings)));
    }
    if (options.runs("product")) {
      ServiceSettings settings = new ServiceSettings(options.httpPort("product", 3002), host, discovery);
      chain = chain.compose(v -> deploy(options, "product", settings.httpPort(),
          () -> new ProductVerticle(nats, infra.mongoUri(), settings)));
    }
    if (options.runs("order")) {
      ServiceSettings settings = new ServiceSettings(options.httpPort("order", 3003), host, discovery);
      Map<String, String> env = new java.util.HashMap<>(options.env());
      env.put("PG_URI", infra.pgUri());
      OrderSettings orderSettings = OrderSettings.fromEnv(env);
      chain = chain.compose(v -> deploy(options, "order", settings.httpPort(),
          () -> new OrderVerticle(nats, orderSettings, settings)));
    }
    if (options.runs("gateway")) {
      int port = options.httpPort("gateway", GatewayVerticle.DEFAULT_PORT);
      chain = chain.compose(v -> deploy(options, "gateway", port,
          () -> new GatewayVerticle("0.0.0.0", port, discovery, nats)));
    }
    return chain.map(v -> this).recover(failure -> stop().transform(ignored -> Future.failedFuture(failure)));
  }

  private Future<Void> deploy(LaunchOptions options, String service, int port, Supplier<? extends Deployable> verticle) {
    int instances = options.instancesOf(service);
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> {
          deployments.add(id);
          ports.put(service, port);
          LOG.info("Deployed {} ({} instance{}) on port {}", service, instances, instances == 1 ? "" : "s", port);
        })
        .mapEmpty();
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
      return java.net.InetAddress.getLocalHost().getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  /** Discovery records live in a NATS key-value bucket, so every process (and the gateway) sees every service. */
  private JsonObject discoveryBackend(LaunchOptions options) {
    NatsDiscovery.register(vertx, nats);
    String ttl = options.env("DISCOVERY_TTL_SECONDS");
    return ttl == null ? NatsDiscovery.backendConfig()
        : NatsDiscovery.backendConfig(NatsDiscovery.DEFAULT_BUCKET, java.time.Duration.ofSeconds(Long.parseLong(ttl)));
  }

  public Map<String, Integer> ports() {
    return ports;
  }

  public String natsUrl() {
    return nats.connection().getConnectedUrl();
  }

  /**
   * Undeploys the last deployed first (each verticle unpublishes its record, stops taking HTTP and NATS requests and
   * finishes what is in flight), then drains and closes the NATS connection and Vert.x.
   */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.eventually(() -> vertx.undeploy(id));
    }
    deployments.clear();
    return chain.eventually(nats::close).eventually(() -> {
      NatsDiscovery.unregister(vertx);
      return vertx.close();
    });
  }
}
