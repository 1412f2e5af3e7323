package com.reactiveshop.launcher.observability;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The launcher's own logback.xml, reloaded with {@code LOG_FORMAT=json} (Logback reads system properties before the
 * environment), and what it writes to standard error meanwhile. Closing restores the text format and the stream.
 */
final class JsonLogCapture implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();

  JsonLogCapture() {
    System.setProperty("LOG_FORMAT", "json");
    reload();
    System.setErr(new PrintStream(written, true, StandardCharsets.UTF_8));
  }

  /** The lines written so far. */
  List<String> lines() {
    String text;
    synchronized (written) {
      text = written.toString(StandardCharsets.UTF_8);
    }
    return Arrays.stream(text.split("\n")).filter(line -> !line.isBlank()).toList();
  }

  @Override
  public void close() {
    System.setErr(original);
    System.clearProperty("LOG_FORMAT");
    reload();
  }

  private static void reload() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    try {
      new ContextInitializer(context).autoConfig();
    } catch (Exception e) {
      throw new IllegalStateException("logback.xml did not load", e);
    }
  }
}
