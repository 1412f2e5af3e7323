package com.reactiveshop.launcher;

import com.reactiveshop.common.logging.AccessLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code java -jar launcher.jar [--services user,product,order,gateway] [--instances N|name=N,...]}: starts what
 * infrastructure is missing, deploys the chosen services, prints where everything is, and stops it all in order on
 * SIGTERM or Ctrl-C (exit 0), or when the start fails (one line naming the cause, exit 1).
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String USAGE = """
      Usage: java -jar launcher/target/reactive-shop.jar [options]
        --services LIST    parts to run in this process: user,product,order,gateway (default: all)
        --instances N      verticle instances of each service, or per service: user=1,product=2
        --data-dir DIR     where embedded stores keep data (default: ./data, env DATA_DIR)
      Environment: NATS_URL, MONGO_URI, PG_URI (unset: embedded), HTTP_PORT (one service),
        USER_HTTP_PORT, PRODUCT_HTTP_PORT, ORDER_HTTP_PORT, GATEWAY_HTTP_PORT, ADVERTISED_HOST,
        LOG_FORMAT (text|json), ACCESS_LOG (true: a line per request), OTEL_EXPORTER_OTLP_ENDPOINT (tracing).""";

  private Main() {
  }

  public static void main(String[] args) {
    LaunchOptions options;
    try {
      options = LaunchOptions.parse(args, System.getenv());
    } catch (LaunchOptions.UsageException e) {
      if (e.getMessage() != null) {
        System.err.println(e.getMessage());
      }
      System.err.println(USAGE);
      System.exit(e.getMessage() == null ? 0 : 2);
      return;
    }
    AccessLog.enable(options.accessLog());
    Lifecycle life = new Lifecycle();
    life.install();
    try {
      checkPortsFree(options);
      Infrastructure infra = life.start("embedded servers", () -> Infrastructure.start(options, life::stopRequested),
          i -> i);
      Topology topology = life.start("services", () -> Topology.start(options, infra, life::stopRequested),
          t -> t::stopBlocking);
      if (life.stopRequested()) {
        return;
      }
      System.out.println(Summary.of(options, topology, infra));
    } catch (Exception e) {
      if (life.stopRequested()) {
        // A stop was asked for while starting: the thread handling it stops everything and exits with 0.
        return;
      }
      String message = e instanceof Topology.StartFailure ? e.getMessage()
          : e instanceof LaunchOptions.UsageException ? e.getMessage() : "Could not start: " + Failures.describe(e);
      LOG.error(message);
      LOG.debug("Start failure", e);
      life.stopAll("start failed");
      System.exit(1);
    }
  }

  /**
   * Fails at once, before anything is started, when a service's HTTP port is taken: the one line names the service,
   * the port and the variable that moves it. (A port taken later still fails the deployment with the same line.)
   */
  static void checkPortsFree(LaunchOptions options) throws Topology.StartFailure {
    Map<Integer, String> seen = new LinkedHashMap<>();
    for (String service : LaunchOptions.ALL) {
      if (!options.runs(service)) {
        continue;
      }
      int port = options.servicePort(service);
      if (port == 0) {
        continue;
      }
      String how = " (set " + String.join(" or ", options.portVariables(service)) + ")";
      String other = seen.putIfAbsent(port, service);
      if (other != null) {
        throw new Topology.StartFailure("Could not start " + Failures.serviceName(service) + ": port " + port
            + " is also the port of " + Failures.serviceName(other) + how, null);
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("0.0.0.0", port));
      } catch (IOException e) {
        throw new Topology.StartFailure("Could not start " + Failures.serviceName(service) + ": "
            + Failures.describe(e, port, options.portVariables(service)), e);
      }
    }
  }
}
