package com.reactiveshop.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One ordered stop for the whole process, whenever it is asked for: SIGTERM, SIGINT (Ctrl-C) or SIGHUP at any moment
 * (during start-up too), a failed start, or any other exit of the JVM. What was started is stopped last started first;
 * a start step in progress is waited for (bounded) and then stopped too.
 *
 * <p>Signals are handled here rather than by a JVM shutdown hook alone, so a requested stop ends with exit code 0
 * after the ordered stop; the shutdown hook stays as a fallback for any other exit.
 */
final class Lifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);
  /** How long a stop waits for a start step in progress (each step is bounded well below this). */
  private static final Duration STEP_WAIT = Duration.ofSeconds(90);

  private record Stop(String name, AutoCloseable action) {
  }

  private final Object lock = new Object();
  private final ReentrantLock stopping = new ReentrantLock();
  private final Deque<Stop> stops = new ArrayDeque<>();
  private boolean stopRequested;
  private boolean stepRunning;
  private boolean stopped;
  private String reason;

  /** Handles TERM, INT and HUP (a stop, then exit 0) and adds the shutdown hook. */
  void install() {
    for (String name : List.of("TERM", "INT", "HUP")) {
      try {
        Signal.handle(new Signal(name), signal -> onSignal("SIG" + signal.getName()));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LOG.debug("Cannot handle SIG{} ({}); the shutdown hook covers it", name, e.toString());
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll("JVM exit"), "shutdown"));
  }

  private void onSignal(String name) {
    synchronized (lock) {
      stopRequested = true;
    }
    // The JVM's signal thread must not wait for the stop: it runs on a thread of its own, then exits.
    Thread stopper = new Thread(() -> {
      stopAll(name);
      System.exit(0);
    }, "stop-on-" + name);
    stopper.start();
  }

  boolean stopRequested() {
    synchronized (lock) {
      return stopRequested;
    }
  }

  /**
   * Runs one start step unless a stop was asked for, and remembers how to stop what it started. A stop that comes
   * while the step runs waits for it; a step that finishes after the stop gave up waiting is stopped at once.
   */
  <T> T start(String name, Callable<T> step, Function<T, AutoCloseable> stopper) throws Exception {
    synchronized (lock) {
      if (stopRequested) {
        throw new Cancelled(name);
      }
      stepRunning = true;
    }
    T result = null;
    try {
      result = step.call();
      return result;
    } finally {
      AutoCloseable late = null;
      synchronized (lock) {
        stepRunning = false;
        if (result != null) {
          if (stopped) {
            late = stopper.apply(result);
          } else {
            stops.push(new Stop(name, stopper.apply(result)));
          }
        }
        lock.notifyAll();
      }
      if (late != null) {
        LOG.warn("{} finished starting after the stop: stopping it", name);
        close(new Stop(name, late));
      }
    }
  }

  /** Stops everything started so far, last started first; safe to call more than once and from several threads. */
  void stopAll(String why) {
    stopping.lock();
    try {
      synchronized (lock) {
        stopRequested = true;
        long deadline = System.nanoTime() + STEP_WAIT.toNanos();
        while (stepRunning && !stopped) {
          long left = (deadline - System.nanoTime()) / 1_000_000;
          if (left <= 0) {
            LOG.warn("A start step is still running after {} s: stopping what has started", STEP_WAIT.toSeconds());
            break;
          }
          try {
            lock.wait(left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
        if (stopped) {
          return;
        }
        stopped = true;
        reason = why;
      }
      boolean any = !stops.isEmpty();
      boolean requested = why.startsWith("SIG");
      if (any || requested) {
        LOG.info("Stopping ({})...", why);
      }
      Stop stop;
      while ((stop = pop()) != null) {
        close(stop);
      }
      if (any || requested) {
        LOG.info("Stopped.");
      }
    } finally {
      stopping.unlock();
    }
  }

  private Stop pop() {
    synchronized (lock) {
      return stops.poll();
    }
  }

  private static void close(Stop stop) {
    try {
      stop.action().close();
    } catch (Exception e) {
      LOG.warn("Could not stop {} cleanly: {}", stop.name(), Failures.describe(e));
    }
  }

  String reason() {
    synchronized (lock) {
      return reason;
    }
  }

  /** A start step that was not run because a stop was asked for. */
  static final class Cancelled extends Exception {
    Cancelled(String step) {
      super("stopped before " + step + " started");
    }
  }
}
