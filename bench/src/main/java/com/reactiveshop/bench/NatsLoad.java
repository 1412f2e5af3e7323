package com.reactiveshop.bench;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The NATS load generator: asynchronous jnats requests with a fixed window of {@code inFlight} outstanding, for a
 * bounded time; each answer starts the next request. Used the same way for the bare echo responder (the ceiling) and
 * for the services' subjects. Answers are counted by the {@code Nats-Service-Error-Code} header ("200" without it).
 */
final class NatsLoad implements AutoCloseable {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final Connection nc;
  /** One thread handles every answer: records it and sends the next request (no recursion into jnats threads). */
  private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "bench-nats-load");
    t.setDaemon(true);
    return t;
  });

  NatsLoad(String natsUrl) throws Exception {
    this.nc = Nats.connect(new Options.Builder().server(natsUrl).connectionName("bench-load").reportNoResponders()
        .maxMessagesInOutgoingQueue(100_000).build());
  }

  /** One round: {@code warmupSeconds} unrecorded, then {@code seconds} recorded, then the window drains. */
  Measurement run(String subject, List<byte[]> bodies, int inFlight, int warmupSeconds, int seconds)
      throws InterruptedException {
    Round round = new Round(subject, bodies, inFlight);
    long start = System.nanoTime();
    round.measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
    round.stopAt = round.measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    loop.execute(() -> {
      for (int i = 0; i < inFlight; i++) {
        round.send();
      }
    });
    long deadline = round.stopAt + REQUEST_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      Integer outstanding = submit(() -> round.outstanding);
      if (System.nanoTime() >= round.stopAt && outstanding != null && outstanding == 0) {
        break;
      }
    }
    return submit(() -> round.result(seconds));
  }

  private <T> T submit(Callable<T> task) throws InterruptedException {
    try {
      return loop.submit(task).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  private final class Round {
    final String subject;
    final List<byte[]> bodies;
    final LatencyRecorder latencies = new LatencyRecorder();
    final Map<String, Long> statuses = new HashMap<>();
    final Map<String, Long> errors = new HashMap<>();
    long measureFrom;
    long stopAt;
    int outstanding;

    Round(String subject, List<byte[]> bodies, int inFlight) {
      this.subject = subject;
      this.bodies = bodies;
    }

    /** On the loop thread. */
    void send() {
      long sent = System.nanoTime();
      if (sent >= stopAt) {
        return;
      }
      outstanding++;
      byte[] body = bodies.get(ThreadLocalRandom.current().nextInt(bodies.size()));
      CompletableFuture<Message> reply;
      try {
        reply = nc.requestWithTimeout(subject, body, REQUEST_TIMEOUT);
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      reply.whenCompleteAsync((msg, failure) -> answered(sent, msg, failure), loop);
    }

    void answered(long sent, Message msg, Throwable failure) {
      outstanding--;
      long now = System.nanoTime();
      if (now >= measureFrom && now <= stopAt) {
        if (failure != null) {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          errors.merge(cause instanceof CancellationException
              || cause instanceof TimeoutException ? "timeout"
              : cause.getClass().getSimpleName(), 1L, Long::sum);
        } else {
          String code = msg.getHeaders() == null ? null : msg.getHeaders().getFirst("Nats-Service-Error-Code");
          statuses.merge(code == null ? "200" : code, 1L, Long::sum);
          latencies.record(now - sent);
        }
      }
      send();
    }

    Measurement result(int seconds) {
      long answers = statuses.values().stream().mapToLong(Long::longValue).sum();
      return new Measurement(answers / (double) seconds, latencies.percentileMs(50), latencies.percentileMs(90),
          latencies.percentileMs(99), latencies.maxMs(), answers, seconds, statuses, errors);
    }
  }

  @Override
  public void close() throws InterruptedException {
    nc.close();
    loop.shutdownNow();
  }
}
