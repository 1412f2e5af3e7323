package com.reactiveshop.testing.faults;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on 127.0.0.1 in front of one server, that can be made slow: while a delay is set, every chunk coming
 * back from the server reaches the client that much later (chunks keep their order; a chunk never overtakes one
 * before it). Requests go through at once. Switch the delay on and off with {@link #delay(Duration)}.
 */
public final class DelayingProxy implements AutoCloseable {

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private volatile long delayMs;

  private DelayingProxy(Vertx vertx, NetServer server, NetClient client) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
  }

  /** Listens on a free port of 127.0.0.1 and forwards every connection to {@code targetHost:targetPort}. */
  public static DelayingProxy start(Vertx vertx, String targetHost, int targetPort) throws Exception {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000).setTcpNoDelay(true));
    NetServer server = vertx.createNetServer();
    DelayingProxy proxy = new DelayingProxy(vertx, server, client);
    server.connectHandler(socket -> proxy.accept(socket, targetHost, targetPort));
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Every chunk from the server is held this long from now on; {@link Duration#ZERO} turns the delay off. */
  public void delay(Duration delay) {
    this.delayMs = delay.toMillis();
  }

  private void accept(NetSocket downstream, String host, int port) {
    downstream.pause();
    Context context = vertx.getOrCreateContext();
    client.connect(port, host).onComplete(connected -> {
      if (connected.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = connected.result();
      Delayed back = new Delayed(context, downstream);
      downstream.handler(upstream::write);
      upstream.handler(back::offer);
      downstream.closeHandler(v -> upstream.close());
      upstream.closeHandler(v -> back.closeWhenDrained());
      downstream.exceptionHandler(e -> upstream.close());
      upstream.exceptionHandler(e -> downstream.close());
      downstream.resume();
    });
  }

  /** Chunks from the server to one client, each released at its due time, in order. */
  private final class Delayed {
    private final Context context;
    private final NetSocket to;
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
    private long lastDue;
    private boolean timerSet;
    private boolean closeWhenDrained;

    Delayed(Context context, NetSocket to) {
      this.context = context;
      this.to = to;
    }

    synchronized void offer(Buffer chunk) {
      long now = System.currentTimeMillis();
      long due = Math.max(now + delayMs, lastDue);
      lastDue = due;
      if (queue.isEmpty() && due <= now) {
        to.write(chunk);
        return;
      }
      queue.add(new Object[] {due, chunk});
      schedule();
    }

    private void schedule() {
      if (timerSet || queue.isEmpty()) {
        return;
      }
      timerSet = true;
      long wait = Math.max(1, (long) queue.peek()[0] - System.currentTimeMillis());
      vertx.setTimer(wait, id -> context.runOnContext(v -> release()));
    }

    private synchronized void release() {
      timerSet = false;
      long now = System.currentTimeMillis();
      while (!queue.isEmpty() && (long) queue.peek()[0] <= now) {
        to.write((Buffer) queue.poll()[1]);
      }
      if (queue.isEmpty() && closeWhenDrained) {
        to.close();
      }
      schedule();
    }

    synchronized void closeWhenDrained() {
      closeWhenDrained = true;
      if (queue.isEmpty()) {
        to.close();
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
  }
}
