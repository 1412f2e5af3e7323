package com.reactiveshop.bench;

import com.reactiveshop.embedded.EmbeddedNats;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The count of the stream ORDERS on a real nats-server: it reaches the orders' count, or the limit says it did not. */
class OrderEventsTest {

  @Test
  void countsTheStreamUntilItHoldsOneEventPerOrderOrTheLimitRunsOut() throws Exception {
    try (EmbeddedNats server = EmbeddedNats.start(0, null); Connection nats = Nats.connect(server.url())) {
      nats.jetStreamManagement().addStream(StreamConfiguration.builder().name(OrderEvents.STREAM)
          .subjects("orders.events.>").storageType(StorageType.Memory).build());
      JetStream js = nats.jetStream();
      for (int i = 0; i < 3; i++) {
        js.publish("orders.events.created", ("{\"id\":\"" + i + "\"}").getBytes(StandardCharsets.UTF_8));
      }

      assertEquals(3, OrderEvents.await(server.url(), 3, Duration.ofSeconds(5)).events());
      OrderEvents.Count oneShort = OrderEvents.await(server.url(), 4, Duration.ofMillis(500));
      assertEquals(3, oneShort.events(), "one event missing: the count stays below the orders'");
    }
  }
}
