package com.reactiveshop.nats.cache;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.cache.CachedDocument;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.nats.NatsBridge;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.UnaryOperator;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change notices on NATS: what a change publishes, and how a cache applies notices: another process's change drops
 * the entry, its own change (already applied) does not.
 */
class ChangeNoticesTest {

  private static final String SUBJECT = "things.changed";
  private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String B = "bbbbbbbbbbbbbbbbbbbbbbbb";

  private EmbeddedNats server;
  private Vertx vertx;
  private NatsBridge bridge;
  private CachedDocuments documents;

  @BeforeEach
  void start() throws Exception {
    server = EmbeddedNats.start(0, null);
    vertx = Vertx.vertx();
    bridge = await(NatsBridge.connect(vertx, server.url(), "notices-test"));
    documents = CachedDocuments.open(bridge, vertx.getOrCreateContext(), "things", SUBJECT,
        new CacheSettings(60_000, 100), UnaryOperator.identity());
  }

  @AfterEach
  void stop() throws Exception {
    await(documents.close());
    await(bridge.close());
    await(vertx.close());
    server.close();
  }

  private static JsonObject thing(String id, int stock) {
    return new JsonObject().put("id", id).put("stock", stock);
  }

  /** A notice as another process would send it, on the bridge's own connection (so it arrives after earlier ones). */
  private void noticeFromElsewhere(String id, String version) {
    JsonObject notice = new JsonObject().put("id", id);
    if (version != null) {
      notice.put("version", version);
    }
    bridge.publish(SUBJECT, new Headers().put(ChangeNotices.ORIGIN_HEADER, "another-process"),
        notice.toBuffer().getBytes());
  }

  @Test
  void aChangePublishesTheIdAndVersionWithItsOrigin() throws Exception {
    Subscription listener = bridge.connection().subscribe(SUBJECT);
    bridge.connection().flush(Duration.ofSeconds(5));
    CachedDocument written = documents.write(A).written(thing(A, 1));
    Message notice = listener.nextMessage(Duration.ofSeconds(10));
    assertNotNull(notice);
    assertEquals(new JsonObject().put("id", A).put("version", written.tag()), new JsonObject(new String(notice.getData())));
    assertNotNull(notice.getHeaders().getFirst(ChangeNotices.ORIGIN_HEADER));

    documents.changed(A);
    Message dropped = listener.nextMessage(Duration.ofSeconds(10));
    assertEquals(new JsonObject().put("id", A), new JsonObject(new String(dropped.getData())));
  }

  @Test
  void anotherProcessesChangeDropsTheEntryButItsOwnDoesNot() {
    documents.write(B).written(thing(B, 1));
    // Own change: the notice comes back to this process and is skipped.
    CachedDocument own = documents.write(A).written(thing(A, 1));
    // Sent after it on the same connection, so handled after it: once B is gone, A's own notice has been seen too.
    noticeFromElsewhere(B, "0000000000000000");
    assertTrue(eventually(() -> documents.hit(B) == null), "another process's change drops the entry");
    assertEquals(own, documents.hit(A), "its own notice did not cost it the entry");

    noticeFromElsewhere(A, own.tag());
    noticeFromElsewhere(B, null);
    documents.write(B).written(thing(B, 2));
    noticeFromElsewhere(B, null);
    assertTrue(eventually(() -> documents.hit(B) == null));
    assertEquals(own, documents.hit(A), "a notice of the state already cached changes nothing");

    noticeFromElsewhere(A, null);
    assertTrue(eventually(() -> documents.hit(A) == null), "deleted elsewhere");
  }

  @Test
  void aNoticeThatIsNotJsonIsIgnored() {
    documents.write(A).written(thing(A, 1));
    bridge.publish(SUBJECT, new Headers().put(ChangeNotices.ORIGIN_HEADER, "x"), "not json".getBytes());
    noticeFromElsewhere(B, null);
    noticeFromElsewhere(A, null);
    assertTrue(eventually(() -> documents.hit(A) == null), "later notices still apply");
    assertNull(documents.hit(B));
  }
}
