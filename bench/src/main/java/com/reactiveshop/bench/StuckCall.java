package com.reactiveshop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Evidence for a check's call that never ended ({@link Http.NoAnswer}). Three times in about fifteen runs a GET of the
 * kit's checks got no answer within 15 s, once with the response's status received and its body never complete (the
 * request's idle timeout does not cover the body: Vert.x 5.0.7 cancels it when the response's head arrives), while
 * the same pages asked thousands of times with curl and with the kit's client on an idle system always answered.
 * Until it is understood, each occurrence leaves: the thread dumps of the system and of the kit
 * ({@code threads-<scenario>.txt}, {@code bench-threads-<scenario>.txt} in the results), and the same URL asked again
 * on a new connection, which tells a stuck server from one stuck connection.
 */
final class StuckCall {

  private StuckCall() {
  }

  /** The evidence, or null when {@code failure} is not a call that never ended. */
  static JsonObject evidence(String scenario, Throwable failure, Vertx vertx, long systemPid, Path results) {
    Throwable cause = failure;
    while (cause != null && !(cause instanceof Http.NoAnswer)) {
      cause = cause.getCause();
    }
    if (!(cause instanceof Http.NoAnswer stuck)) {
      return null;
    }
    JsonObject evidence = new JsonObject().put("url", stuck.url).put("failure", stuck.getMessage());
    try {
      Files.writeString(results.resolve("threads-" + scenario + ".txt"), Profiler.threadDump(systemPid));
      Files.writeString(results.resolve("bench-threads-" + scenario + ".txt"),
          Profiler.threadDump(ProcessHandle.current().pid()));
    } catch (Exception e) {
      evidence.put("threadDumpFailure", e.toString());
    }
    long start = System.nanoTime();
    try (Http fresh = new Http(vertx, 1)) {
      Http.Answer again = fresh.call(HttpMethod.GET, stuck.url, null);
      evidence.put("askedAgain", "answered " + again.status() + " with " + again.body().length() + " bytes in "
          + (System.nanoTime() - start) / 1_000_000 + " ms on a new connection");
    } catch (RuntimeException e) {
      evidence.put("askedAgain", "failed on a new connection too: " + e.getMessage());
    }
    return evidence;
  }
}
