package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.assembly.RequestAssembler;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.core.store.Claimant;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.window.Counter;
import dev.tierscope.store.PostgresCheckpointStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A restart from a checkpoint written with a poisoned stream time recovers: the checkpoint of an
 * older version holds a stream time two days ahead (one client's wrong clock carried it there), so
 * every span after it would be late forever. The loop brings it back to the wall clock on load,
 * leaves out the open request that could never have been accepted, and counts a healthy stream
 * exactly.
 */
class PoisonedCheckpointIT {

  static final long DAY_MICROS = 86_400_000_000L;

  @Test
  void aRestartFromACheckpointWithAStreamTimeInTheFutureRecovers() throws Exception {
    try (LoopHarness h = new LoopHarness("poisoned", 1)) {
      long now = System.currentTimeMillis() * 1_000;
      RequestAssembler old = new RequestAssembler(h.settings().assembly());
      old.add(
          Span.builder()
              .traceId(new TraceId(66, 66))
              .spanId(1)
              .tenant("default")
              .startEpochNanos((now + 2 * DAY_MICROS) * 1_000)
              .endEpochNanos((now + 2 * DAY_MICROS + 1_000_000) * 1_000)
              .build());
      assertThat(old.streamTimeMicros()).isGreaterThan(now + DAY_MICROS);
      PostgresCheckpointStore store = new PostgresCheckpointStore(h.dataSource);
      // written by an older version, which then stopped cleanly
      long epoch =
          store
              .claim(
                  h.group,
                  h.topic,
                  List.of(0),
                  new Claimant("older-version", 0, LoopSettings.DEFAULT_CLAIM_LEASE))
              .get(0)
              .epoch();
      store.commit(
          h.group,
          0,
          List.of(new PartitionCheckpoint(h.topic, 0, epoch, 0, old.snapshot())),
          List.of());
      store.release(h.group, h.topic, Map.of(0, epoch));

      RichTraces gen = new RichTraces(17, now - 60_000_000L);
      for (int i = 0; i < 600; i++) {
        h.send(gen.next(i % 12 != 0), "default");
      }
      h.producer.flush();
      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      SpanConsumerLoop loop = h.loop(store, metrics);
      Thread thread = new Thread(loop, "poisoned-it");
      thread.start();
      try {
        h.awaitCounter("default", Counter.REQUESTS, 600);
        Thread.sleep(1_500);

        h.assertExact("default", gen);
        assertThat(metrics.get("healed")).isEqualTo(1);
        assertThat(metrics.get("dropped.future")).isEqualTo(1);
        assertThat(metrics.get("late")).isZero();
      } finally {
        loop.close();
        thread.join(30_000);
      }
    }
  }
}
