package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.assembly.RequestAssembler;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.window.Counter;
import dev.tierscope.store.PostgresCheckpointStore;
import java.util.List;
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
      store.claim(h.group, h.topic, List.of(0), 0);
      store.commit(
          h.group, 0, List.of(new PartitionCheckpoint(h.topic, 0, 0, old.snapshot())), List.of());

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
