package com.reactiveshop.order;

import io.nats.client.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Created and cancelled events in the JetStream stream ORDERS, through the outbox; the user and product services are
 * stubbed ({@link StubServices}).
 */
class OrderEventsTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";

  static OrderServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = OrderServiceFixture.withStubbedServices();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void createdAndCancelledEventsCarryTheOrderAndAMessageId() throws Exception {
    HttpResponse<Buffer> placed = f.postOrder(orderBody(USER, PEN, 2));
    assertEquals(201, placed.statusCode(), placed.bodyAsString());
    JsonObject order = placed.bodyAsJsonObject();
    String id = order.getString("id");
    JsonObject cancelled = f.cancel(id).bodyAsJsonObject();
    assertEquals("CANCELLED", cancelled.getString("status"));
    assertEquals(200, f.cancel(id).statusCode());

    List<Message> events = f.eventsFor(id, 2);
    assertEquals(2, events.size());
    Message created = events.get(0);
    Message cancel = events.get(1);
    assertEquals(OutboxRelay.CREATED, created.getSubject());
    assertEquals(order, json(created));
    assertEquals(OutboxRelay.CANCELLED, cancel.getSubject());
    assertEquals(cancelled, json(cancel));
    String createdId = created.getHeaders().getFirst("Nats-Msg-Id");
    String cancelId = cancel.getHeaders().getFirst("Nats-Msg-Id");
    assertNotNull(createdId);
    assertNotNull(cancelId);
    assertNotEquals(createdId, cancelId);

    // Cancelling twice published one cancelled event, and the outbox holds nothing unpublished for it.
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0));
    assertEquals(2, f.currentEventsFor(id).size());
  }

  @Test
  void anEventCommittedButNotPublishedGoesOutAfterARestart() throws Exception {
    f.undeployOrders();
    // As if the process had stopped right after commit, before the relay ran: the row is there, unpublished.
    String orderId = UUID.randomUUID().toString();
    UUID eventId = UUID.randomUUID();
    JsonObject payload = new JsonObject().put("id", orderId).put("status", "CONFIRMED");
    await(f.db.preparedQuery("INSERT INTO outbox (id, subject, payload) VALUES ($1, $2, $3)")
        .execute(Tuple.of(eventId, OutboxRelay.CREATED, payload.encode())));
    f.deployOrders();

    List<Message> events = f.eventsFor(orderId, 1);
    assertEquals(1, events.size());
    assertEquals(eventId.toString(), events.get(0).getHeaders().getFirst("Nats-Msg-Id"));
    assertEquals(payload, json(events.get(0)));
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM outbox WHERE id = $1 AND published_at IS NOT NULL",
        eventId) == 1));
  }

  @Test
  void aRepublishedEventIsDroppedByTheStream() throws Exception {
    HttpResponse<Buffer> created = f.postOrder(orderBody(USER, PEN, 1));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("id");
    assertEquals(1, f.eventsFor(id, 1).size());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0));
    // A relay that lost the ack would send again: JetStream drops the copy by its Nats-Msg-Id.
    await(f.db.query("UPDATE outbox SET published_at = NULL WHERE payload LIKE '%" + id + "%'").execute());
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0));
    assertEquals(1, f.currentEventsFor(id).size());
  }
}
