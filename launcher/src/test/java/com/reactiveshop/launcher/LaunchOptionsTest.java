package com.reactiveshop.launcher;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchOptionsTest {

  private static LaunchOptions parse(Map<String, String> env, String... args) {
    return LaunchOptions.parse(args, env);
  }

  @Test
  void accessLinesOnlyWhenAskedFor() {
    assertFalse(parse(Map.of()).accessLog());
    for (String off : new String[] {"false", "0", "no", " ", "maybe"}) {
      assertFalse(parse(Map.of("ACCESS_LOG", off)).accessLog(), off);
    }
    for (String on : new String[] {"true", "TRUE", " 1 ", "yes", "on"}) {
      assertTrue(parse(Map.of("ACCESS_LOG", on)).accessLog(), on);
    }
  }

  @Test
  void servicesInstancesAndPortsFromArgumentsAndEnvironment() {
    LaunchOptions options = parse(Map.of("HTTP_PORT", "9001", "INSTANCES", "2"), "--services", "product-service");
    assertTrue(options.runs("product"));
    assertFalse(options.runs("order"));
    assertEquals(2, options.instancesOf("product"));
    assertEquals(9001, options.servicePort("product"), "HTTP_PORT when the process runs one service");
    assertEquals(3002, parse(Map.of()).servicePort("product"), "the contract's default");
    assertEquals(7001, parse(Map.of("PRODUCT_HTTP_PORT", "7001", "HTTP_PORT", "9001")).servicePort("product"),
        "all in one process: each service's own variable");
  }

  @Test
  void mistakesAreUsageErrors() {
    assertThrows(LaunchOptions.UsageException.class, () -> parse(Map.of(), "--services", "billing"));
    assertThrows(LaunchOptions.UsageException.class, () -> parse(Map.of(), "--instances", "0"));
    assertThrows(LaunchOptions.UsageException.class, () -> parse(Map.of("LOG_FORMAT", "xml")));
    assertThrows(LaunchOptions.UsageException.class, () -> parse(Map.of("PRODUCT_HTTP_PORT", "eighty")).servicePort(
        "product"));
  }
}
