package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParsingTest {

  @Test
  void readsTheBenchJsonLineOfWrk() {
    String output = """
        Running 10s test @ http://127.0.0.1:3003
          1 threads and 64 connections
        statuses: 201=9000 503=12
        latency p50=5.00ms p90=9.00ms p99=20.00ms max=80.00ms
        BENCH-JSON {"requests":9012,"durationUs":10000000,"bytes":1234,"statuses":{"201":9000,"503":12},\
        "errors":{"connect":0,"read":1,"write":0,"status":12,"timeout":2},\
        "p50Us":5000,"p90Us":9000,"p99Us":20000,"maxUs":80000}
        """;
    Measurement m = Wrk.parse(output);
    assertEquals(901.2, m.perSecond(), 1e-9);
    assertEquals(9000, m.status("201"));
    assertEquals(12, m.statusRange(500, 600));
    assertEquals(3, m.errorCount()); // read + timeout; "status" is the non-2xx count, already in statuses
    assertEquals(5.0, m.p50Ms());
    assertEquals(20.0, m.p99Ms());
    assertEquals("201=9000 503=12 read=1 timeout=2", m.statusText());
  }

  @Test
  void wrkOutputWithoutTheLineIsAnError() {
    assertThrows(IllegalStateException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1"));
  }

  @Test
  void procStatFields() {
    String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 40 0 100 0 0";
    ProcCpu.Stat s = ProcCpu.parseStat(1234, stat);
    assertEquals(1, s.ppid());
    assertEquals("java (x) y", s.comm());
    assertEquals(300, s.ticks());
  }

  @Test
  void threadGroups() {
    assertEquals("mongo-java-server", Profiler.group("mongo-server-worker3"));
    assertEquals("mongo-java-server", Profiler.group("MVStore background writer nio:/tmp/x"));
    assertEquals("vert.x event loops", Profiler.group("vert.x-eventloop-thread-1"));
    assertEquals("vert.x workers", Profiler.group("vert.x-worker-thread-0"));
    assertEquals("jnats client", Profiler.group("nats:3"));
    assertEquals("MongoDB driver", Profiler.group("cluster-ClusterId{value='x'}-127.0.0.1:27017"));
    assertEquals("mongo-java-server", Profiler.group("H2-serialization"));
    assertEquals("MongoDB driver", Profiler.group("AsyncGetter-4-thread-1"));
    assertEquals("jnats client", Profiler.group("reactive-shop user,product,order,gateway:1"));
    assertEquals("other JVM threads", Profiler.group("main"));
  }

  @Test
  void serverStatusMaps() {
    JsonObject status = new JsonObject().put("opcountersByCommand", new JsonObject().put("find", 3).put("insert", 2L))
        .put("opcounters", new JsonObject().put("query", 3));
    assertEquals(Map.of("find", 3L, "insert", 2L), StoreCounters.longs(status.getValue("opcountersByCommand")));
    assertNull(StoreCounters.longs(status.getValue("missing")));
  }

  @Test
  void markdownTableEscapesPipes() {
    Report report = new Report();
    report.row("a|b", "1", "", "", "≤ 3", Report.Verdict.PASS);
    String md = report.markdown();
    assertEquals("| a\\|b | 1 |  |  | ≤ 3 | PASS |", md.lines().skip(2).findFirst().orElseThrow());
  }
}
