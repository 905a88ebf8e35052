package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.window.Counter;
import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.store.PostgresCheckpointStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The consumer group's generation restarting lower than the one stored with the checkpoints, for
 * each of its causes, with a real broker and a real PostgreSQL: the group deleted while it was
 * stopped, the broker's data wiped under a running loop, and {@code group.protocol=consumer} (per-
 * member epochs) with partitions moving between two members. Each ends with the stored counts equal
 * to the ground truth: nothing lost, nothing counted twice.
 *
 * <p>Timeouts are short (6 s sessions, a 10 s poll interval, a 20 s claim lease) so that every case
 * takes seconds.
 */
class GenerationResetIT {

  private static final Duration LEASE = Duration.ofSeconds(20);

  /** Short classic-protocol timeouts; the lease is longer than their sum. */
  private static final Map<String, Object> FAST =
      Map.of(
          ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000,
          ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000,
          ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 10_000);

  private record Row(int partition, int generation, long epoch, String owner) {}

  @Test
  void groupDeletedWhileStoppedRestartsAtOnceWithGenerationOneAndCountsExactly() throws Exception {
    try (LoopHarness h = new LoopHarness("deleted", 3)) {
      PostgresCheckpointStore store = new PostgresCheckpointStore(h.dataSource);
      LoopSettings settings = h.settings().withClaimLease(LEASE);
      RichTraces before = phase(h, 31, "before", 300);

      // Two members, then one: the group's generation passes 1.
      SpanConsumerLoop first = h.loop(store, new CountingAggregatorMetrics(), FAST, settings);
      SpanConsumerLoop second = h.loop(store, new CountingAggregatorMetrics(), FAST, settings);
      Thread a = start(first, "deleted-a");
      Thread b = start(second, "deleted-b");
      awaitOwners(h, 2);
      h.awaitCounter("before", Counter.REQUESTS, 100);
      stop(second, b);
      h.awaitCounter("before", Counter.REQUESTS, 300);
      stop(first, a);

      List<Row> rowsBefore = rows(h);
      assertThat(rowsBefore).extracting(Row::generation).allMatch(g -> g > 1);
      assertThat(rowsBefore)
          .extracting(Row::owner)
          .as("released on a clean stop")
          .containsOnlyNulls();

      try (Admin admin = admin(h.bootstrapServers)) {
        admin.deleteConsumerGroups(List.of(h.group)).all().get(30, TimeUnit.SECONDS);
      }
      RichTraces after = phase(h, 32, "after", 200);
      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      SpanConsumerLoop third = h.loop(store, metrics, FAST, settings);
      Thread c = start(third, "deleted-c");
      try {
        h.awaitCounter("after", Counter.REQUESTS, 200);
        Thread.sleep(1_500); // whatever is still in flight would show now as a double count
        h.assertExact("before", before);
        h.assertExact("after", after);
        List<Row> rowsAfter = rows(h);
        assertThat(rowsAfter).extracting(Row::generation).containsOnly(1);
        assertThat(rowsAfter).extracting(Row::owner).doesNotContainNull().hasSize(3);
        for (int i = 0; i < 3; i++) {
          assertThat(rowsAfter.get(i).epoch()).isGreaterThan(rowsBefore.get(i).epoch());
        }
        assertThat(metrics.get("checkpointFailed.fenced")).isZero();
      } finally {
        stop(third, c);
      }
    }
  }

  @Test
  void brokerDataWipedUnderARunningStaticMemberReclaimsItsOwnRowsAndCountsExactly()
      throws Exception {
    KafkaBroker broker = KafkaBroker.builder().build();
    KafkaBroker wiped = null;
    broker.start();
    try (LoopHarness h = new LoopHarness("wiped", 2, broker.bootstrapServers())) {
      PostgresCheckpointStore store = new PostgresCheckpointStore(h.dataSource);
      LoopSettings settings = h.settings().withClaimLease(LEASE);
      Map<String, Object> staticMember = new java.util.HashMap<>(FAST);
      staticMember.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "wiped-0");
      RichTraces before = phase(h, 37, "before", 400);

      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      LoopSupervisor<SpanConsumerLoop> member =
          new LoopSupervisor<>(
              "wiped-0",
              () -> h.loop(store, metrics, staticMember, settings),
              Clock.systemUTC(),
              Duration.ofMillis(200),
              Duration.ofSeconds(2));
      member.start();
      try {
        // A dynamic member joins and leaves: the static member's generation passes 1.
        SpanConsumerLoop visitor = h.loop(store, new CountingAggregatorMetrics(), FAST, settings);
        Thread v = start(visitor, "wiped-visitor");
        h.awaitCounter("before", Counter.REQUESTS, 100);
        stop(visitor, v);
        h.awaitCounter("before", Counter.REQUESTS, 400);
        awaitOwnedBy(h, "wiped-0", 2);
        List<Row> rowsBefore = rows(h);
        assertThat(rowsBefore).extracting(Row::generation).allMatch(g -> g > 1);

        // The broker's data is lost: same address, a new log directory, no group, no topic.
        broker.stop();
        wiped =
            KafkaBroker.builder()
                .port(broker.port())
                .controllerPort(broker.controllerPort())
                .build();
        wiped.start();
        h.createTopics(2);
        h.newProducer();
        // Fewer records than before the wipe on each partition: the checkpoints' offsets lie
        // beyond the new logs' ends, so auto.offset.reset=earliest reads them from their start.
        RichTraces after = phase(h, 38, "after", 150);

        h.awaitCounter("after", Counter.REQUESTS, 150);
        Thread.sleep(1_500);
        h.assertExact("before", before);
        h.assertExact("after", after);
        List<Row> rowsAfter = rows(h);
        assertThat(rowsAfter)
            .extracting(Row::generation)
            .allMatch(g -> g < rowsBefore.get(0).generation);
        assertThat(rowsAfter).extracting(Row::owner).containsOnly("wiped-0");
      } finally {
        member.close();
      }
    } finally {
      broker.close();
      if (wiped != null) {
        wiped.close();
      }
    }
  }

  @Test
  void consumerProtocolWithPartitionsMovingBetweenTwoMembersCountsExactly() throws Exception {
    try (LoopHarness h = new LoopHarness("kip848", 4)) {
      PostgresCheckpointStore store = new PostgresCheckpointStore(h.dataSource);
      LoopSettings settings = h.settings().withClaimLease(Duration.ofSeconds(60));
      Map<String, Object> consumerProtocol =
          Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
      RichTraces one = phase(h, 41, "one", 300);

      CountingAggregatorMetrics metricsA = new CountingAggregatorMetrics();
      CountingAggregatorMetrics metricsB = new CountingAggregatorMetrics();
      SpanConsumerLoop first = h.loop(store, metricsA, consumerProtocol, settings);
      Thread a = start(first, "kip848-a");
      h.awaitCounter("one", Counter.REQUESTS, 100);
      // A second member takes half the partitions from the first, which lets them go cleanly.
      SpanConsumerLoop second = h.loop(store, metricsB, consumerProtocol, settings);
      Thread b = start(second, "kip848-b");
      try {
        awaitOwners(h, 2);
        RichTraces two = phase(h, 42, "two", 300);
        h.awaitCounter("two", Counter.REQUESTS, 300);
        // The first leaves: every partition ends with the second.
        stop(first, a);
        RichTraces three = phase(h, 43, "three", 200);
        awaitOwners(h, 1);
        h.awaitCounter("three", Counter.REQUESTS, 200);
        Thread.sleep(1_500);
        h.assertExact("one", one);
        h.assertExact("two", two);
        h.assertExact("three", three);
        List<Row> rowsAfter = rows(h);
        assertThat(rowsAfter).extracting(Row::owner).doesNotContainNull().hasSize(4);
        assertThat(rowsAfter)
            .as("every partition moved at least once")
            .extracting(Row::epoch)
            .allMatch(e -> e >= 2);
        assertThat(
                metricsA.get("checkpointFailed.fenced") + metricsB.get("checkpointFailed.fenced"))
            .isZero();
      } finally {
        stop(second, b);
      }
    }
  }

  @Test
  void fencedLoopRejoinsAndLeavesThePartitionsToAnOwnerThatLooksAlive() throws Exception {
    try (LoopHarness h = new LoopHarness("fenced", 2)) {
      PostgresCheckpointStore store = new PostgresCheckpointStore(h.dataSource);
      RichTraces before = phase(h, 47, "before", 200);
      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      SpanConsumerLoop loop =
          h.loop(store, metrics, FAST, h.settings().withClaimLease(Duration.ofMinutes(5)));
      Thread t = start(loop, "fenced-loop");
      try {
        h.awaitCounter("before", Counter.REQUESTS, 50);
        // Another owner with a higher generation takes the partitions (a zombie's view of it):
        // the loop's next checkpoint is fenced, it drops what it holds and rejoins.
        Map<Integer, dev.tierscope.core.store.Claim> intruder =
            store.claim(
                h.group,
                h.topic,
                List.of(0, 1),
                new dev.tierscope.core.store.Claimant("intruder", 1_000, Duration.ofMinutes(5)));
        await(() -> metrics.get("checkpointFailed.fenced") >= 1, "a fenced checkpoint");
        RichTraces after = phase(h, 48, "after", 100);
        Thread.sleep(3_000);
        assertThat(rows(h))
            .as("not taken back while the other owner looks alive")
            .extracting(Row::owner)
            .containsOnly("intruder");

        Map<Integer, Long> epochs = new java.util.HashMap<>();
        intruder.forEach((p, c) -> epochs.put(p, c.epoch()));
        store.release(h.group, h.topic, epochs);
        h.awaitCounter("before", Counter.REQUESTS, 200);
        h.awaitCounter("after", Counter.REQUESTS, 100);
        Thread.sleep(1_500);
        h.assertExact("before", before);
        h.assertExact("after", after);
        assertThat(rows(h)).extracting(Row::owner).doesNotContainNull().doesNotContain("intruder");
      } finally {
        stop(loop, t);
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  /**
   * Sends {@code traces} new requests of {@code tenant}, stamped from a second ago on, as traffic
   * produced now is; the returned generator holds their ground truth. (Requests stamped long before
   * a partition's stream time, which moves with the wall clock while it is quiet, would complete in
   * pieces: that is event-time semantics, not what these cases are about.)
   */
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

  private static void stop(SpanConsumerLoop loop, Thread t) throws InterruptedException {
    loop.close();
    t.join(30_000);
    assertThat(t.isAlive()).as("%s stopped", t.getName()).isFalse();
  }

  private static Admin admin(String bootstrapServers) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** The checkpoint rows of the harness's group, by partition. */
  private static List<Row> rows(LoopHarness h) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (Connection c = h.dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT partition_id, generation, claim_epoch, owner FROM partition_checkpoint"
                    + " WHERE consumer_group = '"
                    + h.group
                    + "' ORDER BY partition_id")) {
      while (rs.next()) {
        out.add(new Row(rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getString(4)));
      }
    }
    return out;
  }

  private static void awaitOwnedBy(LoopHarness h, String owner, int n) throws Exception {
    await(
        () -> rows(h).stream().filter(r -> owner.equals(r.owner())).count() == n,
        n + " partitions held by " + owner);
  }

  private static void awaitOwners(LoopHarness h, int owners) throws Exception {
    await(
        () -> {
          List<Row> rows = rows(h);
          return rows.stream().allMatch(r -> r.owner() != null)
              && rows.stream().map(Row::owner).distinct().count() == owners;
        },
        "partitions held by " + owners + " members");
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition c, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!c.holds()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
