package com.reactiveshop.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.TimeUnit;

/**
 * The HTTP ceiling: a bare Vert.x 5 server that answers every request with a small JSON body, one verticle instance
 * per core, with the server options the services use (TCP_NODELAY, no compression) but no router, no metrics, no
 * store. Whatever the services do beyond this is their cost.
 */
final class HelloServer extends VerticleBase {

  private static final Buffer BODY = Buffer.buffer("{\"message\":\"hello\"}");

  private final int port;

  private HelloServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1").setTcpNoDelay(true)
            .setCompressionSupported(false).setIdleTimeout(120).setIdleTimeoutUnit(TimeUnit.SECONDS))
        .requestHandler(request -> request.body().onComplete(ignored -> request.response()
            .putHeader("Content-Type", "application/json").end(BODY)))
        .listen();
  }

  /** Starts the server and prints {@code READY} when it listens. */
  static void main(int port) throws Exception {
    int instances = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new HelloServer(port), new DeploymentOptions().setInstances(instances))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.println("READY hello-server on 127.0.0.1:" + port + " (" + instances + " instances)");
    System.out.flush();
  }
}
