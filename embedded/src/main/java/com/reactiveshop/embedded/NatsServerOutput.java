package com.reactiveshop.embedded;

import io.nats.Output;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;
import java.util.logging.Level;

/** Sends nats-server's console output to SLF4J: its banner and info lines at debug, problems as warnings. */
final class NatsServerOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("nats-server");

  @Override
  public void setLevel(Level level) {
    // Levels are SLF4J's.
  }

  @Override
  public void error(Supplier<String> message) {
    LOG.error(message.get());
  }

  @Override
  public void error(String message) {
    LOG.error(message);
  }

  @Override
  public void warning(Supplier<String> message) {
    warning(message.get());
  }

  @Override
  public void warning(String message) {
    // The runner reports its output pipe closing when the server stops: expected, not a problem.
    if (message != null && message.contains("Stream closed")) {
      LOG.debug(message);
    } else {
      LOG.warn(message);
    }
  }

  @Override
  public void info(Supplier<String> message) {
    if (LOG.isDebugEnabled()) {
      LOG.debug(message.get());
    }
  }

  @Override
  public void info(String message) {
    LOG.debug(message);
  }

  @Override
  public boolean isLogger() {
    return false;
  }

  @Override
  public java.util.logging.Logger getLogger() {
    return null;
  }
}
