package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.window.Counter;
import dev.tierscope.store.PostgresCheckpointStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * A scale-down with static membership, on a real broker and PostgreSQL: two loops in one group,
 * each with its own {@code group.instance.id} and a long session timeout (45 s, as a deployment
 * that rides out restarts sets it). One is closed cleanly: it leaves the group, so the other owns
 * every partition within seconds instead of after the session timeout, and counts stay exact.
 */
class StaticMemberLeaveIT {

  private static final int SESSION_TIMEOUT_MS = 45_000;

  /** Far below the session timeout: only an explicit leave hands the partitions over this fast. */
  private static final long TAKEOVER_LIMIT_MS = 10_000;

  @Test
  void aStaticMemberClosedCleanlyLeavesAndTheOtherOwnsEveryPartitionAtOnce() throws Exception {
    try (LoopHarness h = new LoopHarness("leave", 4)) {
      PostgresCheckpointStore store = new PostgresCheckpointStore(h.dataSource);
      LoopSettings settings = h.settings().withClaimLease(Duration.ofSeconds(120));
      RichTraces before = phase(h, 51, "before", 300);

      SpanConsumerLoop a =
          h.loop(store, new CountingAggregatorMetrics(), member("leave-a"), settings);
      SpanConsumerLoop b =
          h.loop(store, new CountingAggregatorMetrics(), member("leave-b"), settings);
      Thread ta = start(a, "leave-a");
      Thread tb = start(b, "leave-b");
      try {
        await(
            () -> new HashSet<>(owners(h)).equals(Set.of("leave-a", "leave-b")),
            "partitions held by both members",
            90_000);
        h.awaitCounter("before", Counter.REQUESTS, 300);

        long closing = System.nanoTime();
        a.close();
        ta.join(30_000);
        assertThat(ta.isAlive()).as("leave-a stopped").isFalse();
        long closedMs = (System.nanoTime() - closing) / 1_000_000;
        RichTraces after = phase(h, 52, "after", 200);
        await(
            () -> {
              List<String> owners = owners(h);
              return owners.size() == 4
                  && owners.stream().allMatch("leave-b"::equals)
                  && b.status().ownedPartitions() == 4;
            },
            "every partition owned by leave-b within "
                + TAKEOVER_LIMIT_MS
                + " ms of the close (session timeout "
                + SESSION_TIMEOUT_MS
                + " ms)",
            TAKEOVER_LIMIT_MS);
        long takeoverMs = (System.nanoTime() - closing) / 1_000_000;
        System.out.printf(
            "leave-a closed in %d ms; leave-b owned all 4 partitions %d ms after the close began"
                + " (session.timeout.ms %d)%n",
            closedMs, takeoverMs, SESSION_TIMEOUT_MS);

        h.awaitCounter("after", Counter.REQUESTS, 200);
        Thread.sleep(1_500); // a double count would show now
        h.assertExact("before", before);
        h.assertExact("after", after);
      } finally {
        a.close();
        b.close();
        ta.join(30_000);
        tb.join(30_000);
      }
    }
  }

  private static Map<String, Object> member(String instanceId) {
    return Map.of(
        ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
        instanceId,
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
        SESSION_TIMEOUT_MS,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        1_000,
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        60_000);
  }

  /** Sends {@code traces} new requests of {@code tenant}, stamped from a second ago on. */
  private static RichTraces phase(LoopHarness h, long seed, String tenant, int traces) {
    RichTraces gen = new RichTraces(seed, System.currentTimeMillis() * 1_000 - 1_000_000L);
    for (int i = 0; i < traces; i++) {
      h.send(gen.next(i % 10 != 0), tenant);
    }
    h.producer.flush();
    return gen;
  }

  private static Thread start(SpanConsumerLoop loop, String name) {
    Thread t = new Thread(loop, name);
    t.start();
    return t;
  }

  /** The owner of each checkpoint row of the harness's group ({@code null}: released). */
  private static List<String> owners(LoopHarness h) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = h.dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT owner FROM partition_checkpoint WHERE consumer_group = '"
                    + h.group
                    + "' ORDER BY partition_id")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition c, String what, long limitMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
    while (!c.holds()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
