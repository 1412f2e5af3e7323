package com.reactiveshop.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar launcher.jar [--services user,product,order,gateway] [--instances N|name=N,...]}: starts what
 * infrastructure is missing, deploys the chosen services, prints where everything is, and stops it all gracefully on
 * SIGTERM or Ctrl-C.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String USAGE = """
      Usage: java -jar launcher/target/reactive-shop.jar [options]
        --services LIST    parts to run in this process: user,product,order,gateway (default: all)
        --instances N      verticle instances of each service, or per service: user=1,product=2
        --data-dir DIR     where embedded stores keep data (default: ./data, env DATA_DIR)
      Environment: NATS_URL, MONGO_URI, PG_URI (unset: embedded), HTTP_PORT (one service),
        USER_HTTP_PORT, PRODUCT_HTTP_PORT, ORDER_HTTP_PORT, GATEWAY_HTTP_PORT, ADVERTISED_HOST.""";

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
    Infrastructure infra = null;
    try {
      infra = Infrastructure.start(options);
      Topology topology = Topology.start(options, infra).toCompletionStage().toCompletableFuture()
          .get(120, TimeUnit.SECONDS);
      Runtime.getRuntime().addShutdownHook(new Thread(shutdown(topology, infra), "shutdown"));
      System.out.println(Summary.of(options, topology, infra));
    } catch (Exception e) {
      LOG.error("Could not start: {}", e.getMessage(), e);
      if (infra != null) {
        infra.close();
      }
      System.exit(1);
    }
  }

  private static Runnable shutdown(Topology topology, Infrastructure infra) {
    return () -> {
      LOG.info("Stopping...");
      try {
        topology.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("Services did not stop cleanly: {}", e.toString());
      } finally {
        infra.close();
        LOG.info("Stopped.");
      }
    };
  }
}
