package com.reactiveshop.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What to run and against what, from the command line and the environment (CONTRACT.md "Configuration").
 *
 * <pre>
 *   --services user,product,order,gateway   which parts run in this process (default: all four)
 *   --instances 2 | user=1,product=2        verticle instances per service (default: 1)
 *   --data-dir ./data                       where embedded stores keep their data (env DATA_DIR)
 * </pre>
 */
public record LaunchOptions(Set<String> services, Map<String, Integer> instances, Map<String, String> env,
                            Path dataDir) {

  public static final List<String> ALL = Part.KEYS;

  public static LaunchOptions parse(String[] args, Map<String, String> env) {
    Set<String> services = new LinkedHashSet<>(ALL);
    Map<String, Integer> instances = new LinkedHashMap<>();
    Path dataDir = Path.of(env.getOrDefault("DATA_DIR", "data"));
    String servicesValue = env.get("SERVICES");
    String instancesValue = env.get("INSTANCES");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = arg.contains("=") && arg.startsWith("--") ? arg.substring(arg.indexOf('=') + 1) : null;
      String name = value == null ? arg : arg.substring(0, arg.indexOf('='));
      if (value == null && i + 1 < args.length && !List.of("--help", "-h").contains(name)) {
        value = args[++i];
      }
      switch (name) {
        case "--services" -> servicesValue = value;
        case "--instances" -> instancesValue = value;
        case "--data-dir" -> dataDir = Path.of(value);
        case "--help", "-h" -> throw new UsageException(null);
        default -> throw new UsageException("Unknown option " + arg);
      }
    }
    if (servicesValue != null) {
      services = parseServices(servicesValue);
    }
    if (instancesValue != null) {
      parseInstances(instancesValue, services, instances);
    }
    String logFormat = env.get("LOG_FORMAT");
    if (logFormat != null && !logFormat.isBlank() && !List.of("text", "json").contains(logFormat.trim())) {
      // logback.xml picks its appender by this name: any other value would silence every log line.
      throw new UsageException("LOG_FORMAT must be text or json, not '" + logFormat + "'");
    }
    return new LaunchOptions(services, instances, env, dataDir);
  }

  private static Set<String> parseServices(String value) {
    Set<String> services = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String service = part.trim().toLowerCase().replace("-service", "");
      if (!ALL.contains(service)) {
        throw new UsageException("Unknown service '" + part + "'; choose from " + ALL);
      }
      services.add(service);
    }
    if (services.isEmpty()) {
      throw new UsageException("--services names no service");
    }
    return services;
  }

  private static void parseInstances(String value, Set<String> services, Map<String, Integer> instances) {
    for (String part : value.split(",")) {
      String[] pair = part.trim().split("=");
      try {
        if (pair.length == 1) {
          int count = positive(pair[0]);
          services.forEach(s -> instances.put(s, count));
        } else if (pair.length == 2 && ALL.contains(pair[0].trim())) {
          instances.put(pair[0].trim(), positive(pair[1]));
        } else {
          throw new UsageException("Bad --instances entry '" + part + "'");
        }
      } catch (NumberFormatException e) {
        throw new UsageException("Bad --instances entry '" + part + "'");
      }
    }
  }

  private static int positive(String text) {
    int n = Integer.parseInt(text.trim());
    if (n < 1 || n > 64) {
      throw new UsageException("Instances must be between 1 and 64");
    }
    return n;
  }

  public int instancesOf(String service) {
    return instances.getOrDefault(service, 1);
  }

  public boolean runs(String service) {
    return services.contains(service);
  }

  /** An environment value, or null when unset or blank. */
  public String env(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** {@code ACCESS_LOG}: true, 1, yes or on switch a log line per request on. */
  public boolean accessLog() {
    String value = env("ACCESS_LOG");
    return value != null && List.of("true", "1", "yes", "on").contains(value.toLowerCase(Locale.ROOT));
  }

  /**
   * The HTTP port of a service: {@code HTTP_PORT} when this process runs just that one service, else the
   * all-in-one variable ({@code USER_HTTP_PORT}, ...), else the contract's default.
   */
  public int httpPort(String service, int fallback) {
    String single = services.stream().filter(s -> !s.equals("gateway")).count() == 1 && !service.equals("gateway")
        ? env("HTTP_PORT") : null;
    String value = single != null ? single : env(Part.of(service).portVariable());
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new UsageException("Bad port '" + value + "'");
    }
  }

  /** The HTTP port a service of this process listens on (its variable, else the contract's default). */
  public int servicePort(String service) {
    return httpPort(service, Part.of(service).defaultPort());
  }

  /** The variables that set a service's port here, the one that wins first: for messages about a busy port. */
  public List<String> portVariables(String service) {
    String own = Part.of(service).portVariable();
    boolean single = services.stream().filter(s -> !s.equals("gateway")).count() == 1 && !service.equals("gateway");
    return single ? List.of("HTTP_PORT", own) : List.of(own);
  }

  /** A bad command line or environment: the message is shown with the usage text. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }
}
