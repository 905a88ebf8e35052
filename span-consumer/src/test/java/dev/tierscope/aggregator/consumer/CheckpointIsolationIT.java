package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.Claim;
import dev.tierscope.core.store.Claimant;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.RefusedDelta;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.store.PostgresCheckpointStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint that fails because of its data is isolated, one that fails because the store is
 * unreachable is retried, and a loop that stops on an error nobody expected is restarted: in every
 * case the healthy tenants' counts stay exact, and nothing loops forever.
 */
class CheckpointIsolationIT {

  /**
   * The real PostgreSQL store, with faults put in front of it: deltas of one tenant refused as
   * PostgreSQL refuses data it cannot hold (the rest committed, as the real store does), the first
   * commits failing as if the database were down, or an error thrown on one commit.
   */
  static final class FaultyStore implements CheckpointStore {
    final CheckpointStore real;
    final String refusedTenant;
    final AtomicInteger unreachable = new AtomicInteger();
    final AtomicInteger crashes = new AtomicInteger();
    final AtomicInteger commits = new AtomicInteger();

    FaultyStore(CheckpointStore real, String refusedTenant) {
      this.real = real;
      this.refusedTenant = refusedTenant;
    }

    @Override
    public Map<Integer, Claim> claim(
        String group, String topic, Collection<Integer> partitions, Claimant claimant) {
      return real.claim(group, topic, partitions, claimant);
    }

    @Override
    public Map<Integer, Claim> resume(String group, String topic, Map<Integer, Long> epochs) {
      return real.resume(group, topic, epochs);
    }

    @Override
    public void release(String group, String topic, Map<Integer, Long> epochs) {
      real.release(group, topic, epochs);
    }

    @Override
    public List<RefusedDelta> commit(
        String group,
        int generation,
        List<PartitionCheckpoint> checkpoints,
        List<WindowDelta> deltas) {
      commits.incrementAndGet();
      if (unreachable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("connection refused (simulated: the database is down)");
      }
      if (crashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new AssertionError("simulated: an error nobody expected");
      }
      List<RefusedDelta> refused = new ArrayList<>();
      List<WindowDelta> kept = new ArrayList<>();
      for (WindowDelta d : deltas) {
        if (d.key().tenant().equals(refusedTenant)) {
          refused.add(new RefusedDelta(d.key(), "simulated: value too long for its column"));
        } else {
          kept.add(d);
        }
      }
      refused.addAll(real.commit(group, generation, checkpoints, kept));
      return refused;
    }
  }

  @Test
  void deltasRefusedForTheirDataAreLeftOutAndTheRestCommitted() throws Exception {
    try (LoopHarness h = new LoopHarness("isolate", 2)) {
      FaultyStore store = new FaultyStore(new PostgresCheckpointStore(h.dataSource), "refused");
      long now = System.currentTimeMillis() * 1_000;
      RichTraces healthy = new RichTraces(3, now - 60_000_000L);
      RichTraces refused = new RichTraces(4, now - 60_000_000L);
      for (int i = 0; i < 300; i++) {
        h.send(healthy.next(true), "acme");
        h.send(refused.next(true), "refused");
      }
      h.producer.flush();
      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      SpanConsumerLoop loop = h.loop(store, metrics);
      Thread thread = new Thread(loop, "isolation-it");
      thread.start();
      try {
        h.awaitCounter("acme", Counter.REQUESTS, 300);
        // The loop goes on: a second batch after the refusals is counted too.
        for (int i = 0; i < 150; i++) {
          h.send(healthy.next(true), "acme");
        }
        h.producer.flush();
        h.awaitCounter("acme", Counter.REQUESTS, 450);
        Thread.sleep(1_000);

        h.assertExact("acme", healthy);
        assertThat(h.total("refused", Counter.REQUESTS)).isZero();
        assertThat(metrics.get("refused")).isPositive();
        assertThat(metrics.get("checkpointFailed.store")).isZero();
        assertThat(h.deadLetters(1))
            .isNotEmpty()
            .allSatisfy(
                e ->
                    assertThat(e)
                        .startsWith("refused: the store refused the window's delta: simulated"));
      } finally {
        loop.close();
        thread.join(30_000);
      }
    }
  }

  @Test
  void commitsFailingBecauseTheStoreIsDownAreRetriedExactly() throws Exception {
    try (LoopHarness h = new LoopHarness("storedown", 2)) {
      FaultyStore store = new FaultyStore(new PostgresCheckpointStore(h.dataSource), "none");
      long now = System.currentTimeMillis() * 1_000;
      RichTraces gen = new RichTraces(5, now - 60_000_000L);
      for (int i = 0; i < 200; i++) {
        h.send(gen.next(i % 9 != 0), "acme");
      }
      h.producer.flush();
      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      SpanConsumerLoop loop = h.loop(store, metrics);
      Thread thread = new Thread(loop, "storedown-it");
      store.unreachable.set(3);
      thread.start();
      try {
        h.awaitCounter("acme", Counter.REQUESTS, 200);
        Thread.sleep(1_000);

        h.assertExact("acme", gen);
        assertThat(metrics.get("checkpointFailed.store")).isEqualTo(3);
        assertThat(metrics.get("refused")).isZero();
      } finally {
        loop.close();
        thread.join(30_000);
      }
    }
  }

  @Test
  void aLoopThatStopsOnAnUnexpectedErrorIsRestartedAndCountsExactly() throws Exception {
    try (LoopHarness h = new LoopHarness("restart", 2)) {
      FaultyStore store = new FaultyStore(new PostgresCheckpointStore(h.dataSource), "none");
      long now = System.currentTimeMillis() * 1_000;
      RichTraces gen = new RichTraces(6, now - 60_000_000L);
      for (int i = 0; i < 300; i++) {
        h.send(gen.next(i % 7 != 0), "acme");
      }
      h.producer.flush();
      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      store.crashes.set(1);
      LoopSupervisor<SpanConsumerLoop> supervisor =
          new LoopSupervisor<>(
              "restart-it",
              () -> h.loop(store, metrics),
              Clock.systemUTC(),
              Duration.ofMillis(500),
              Duration.ofSeconds(5));
      List<SupervisorStatus> seen = new ArrayList<>();
      supervisor.start();
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (h.total("acme", Counter.REQUESTS) < 300 && System.nanoTime() < deadline) {
          seen.add(supervisor.status());
          Thread.sleep(50);
        }
        Thread.sleep(1_000);

        h.assertExact("acme", gen);
        assertThat(seen)
            .anySatisfy(
                s -> {
                  assertThat(s.alive()).isFalse();
                  assertThat(s.lastFailure()).contains("simulated: an error nobody expected");
                });
        assertThat(supervisor.status().alive()).isTrue();
        assertThat(supervisor.status().restarts()).isEqualTo(1);
      } finally {
        supervisor.close();
      }
    }
  }
}
