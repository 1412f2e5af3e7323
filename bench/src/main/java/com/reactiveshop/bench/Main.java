package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point of {@code bench/target/bench.jar}:
 * <pre>
 *   run --user-url U --product-url P --order-url O --gateway-url G --nats N --mongo M --pg PG
 *       --seconds S --connections C [--wrk-threads 1] [--in-flight 64] [--start-ms MS] [--system-pid PID]
 *       [--data-dir D] [--bench-dir bench] [--results DIR] [--profile true]
 *   hello-server --port P        the HTTP ceiling (in its own JVM; exits when its standard input closes)
 *   echo-responder --nats URL    the NATS ceiling (same)
 *   chart RESULTS.json OUT.png   draws the chart of a run again from its results.json
 *   profile-summary REC.jfr [N]  execution samples of a JFR recording by thread group, top N frames
 *   free-ports N                 prints N free TCP ports on 127.0.0.1
 * </pre>
 */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    // The drivers' INFO lines would drown the kit's own progress lines.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    if (args.length == 0) {
      System.err.println("usage: run|open-loop|hello-server|echo-responder|chart|profile-summary|free-ports ..."
          + " (see bench/run.sh and BENCHMARKS.md)");
      System.exit(2);
    }
    Map<String, String> options = options(args);
    switch (args[0]) {
      case "run" -> System.exit(new BenchRun(BenchConfig.of(options)).run());
      case "open-loop" -> System.exit(OrderOpenLoop.run(options));
      case "hello-server" -> {
        Child.exitWithParent();
        HelloServer.main(Integer.parseInt(options.get("port")));
      }
      case "echo-responder" -> {
        Child.exitWithParent();
        EchoResponder.main(options.get("nats"));
      }
      case "chart" -> {
        if (args.length < 3) {
          System.err.println("usage: chart RESULTS.json OUT.png");
          System.exit(2);
        }
        var json = new JsonObject(Files.readString(Path.of(args[1])));
        Chart.write(json, Path.of(args[2]));
      }
      case "profile-summary" -> {
        if (args.length < 2) {
          System.err.println("usage: profile-summary RECORDING.jfr [top frames, default 8]");
          System.exit(2);
        }
        System.out.print(Profiler.text(Profiler.summarise(Path.of(args[1]),
            args.length > 2 ? Integer.parseInt(args[2]) : 8)));
      }
      case "free-ports" -> {
        int n = Integer.parseInt(args.length > 1 ? args[1] : "1");
        ServerSocket[] sockets = new ServerSocket[n];
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
          sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          out.append(i == 0 ? "" : " ").append(sockets[i].getLocalPort());
        }
        for (ServerSocket s : sockets) {
          s.close();
        }
        System.out.println(out);
      }
      default -> {
        System.err.println("unknown command " + args[0]);
        System.exit(2);
      }
    }
  }

  /** {@code --name value} pairs after the command. */
  static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].startsWith("--") && i + 1 < args.length) {
        options.put(args[i].substring(2), args[++i]);
      }
    }
    return options;
  }
}
