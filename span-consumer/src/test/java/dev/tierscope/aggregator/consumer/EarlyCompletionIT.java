package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.window.Counter;
import dev.tierscope.store.PostgresCheckpointStore;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With early completion on, the loop reports how many requests completed before their grace ({@code
 * tierscope.aggregator.requests.completed.early} at the edge), and the stored counts stay exact;
 * with it off it reports none.
 */
class EarlyCompletionIT {

  /** 3,000 requests 2 ms apart: six seconds of stream time, more than the settle and the grace. */
  private static final int REQUESTS = 3_000;

  @Test
  void requestsCompletedEarlyAreReportedAndTheCountsStayExact() throws Exception {
    CountingAggregatorMetrics metrics = run(true);

    assertThat(metrics.get("completed")).isEqualTo(REQUESTS);
    // All but the last second or so settle before their grace; the rest complete by it.
    assertThat(metrics.get("completedEarly")).isBetween(REQUESTS / 2L, (long) REQUESTS);
    assertThat(metrics.get("late")).isZero();
  }

  @Test
  void withoutEarlyCompletionNoneIsReported() throws Exception {
    CountingAggregatorMetrics metrics = run(false);

    assertThat(metrics.get("completed")).isEqualTo(REQUESTS);
    assertThat(metrics.get("completedEarly")).isZero();
  }

  private static CountingAggregatorMetrics run(boolean early) throws Exception {
    try (LoopHarness h = new LoopHarness(early ? "early" : "grace", 2)) {
      long now = System.currentTimeMillis() * 1_000;
      RichTraces gen = new RichTraces(11, now - 60_000_000L);
      for (int i = 0; i < REQUESTS; i++) {
        h.send(gen.next(true), "acme");
      }
      h.producer.flush();
      LoopSettings s = h.settings();
      LoopSettings settings =
          new LoopSettings(
              s.topic(),
              s.group(),
              s.windowMillis(),
              s.significantDigits(),
              s.checkpointInterval(),
              s.idleAdvanceAfter(),
              s.pollTimeout(),
              early
                  ? s.assembly().withEarlyCompletion(Duration.ofSeconds(1))
                  : s.assembly().withoutEarlyCompletion(),
              s.ttftThresholdMicrosByClass(),
              s.limits(),
              s.claimLease());
      CountingAggregatorMetrics metrics = new CountingAggregatorMetrics();
      SpanConsumerLoop loop =
          h.loop(new PostgresCheckpointStore(h.dataSource), metrics, Map.of(), settings);
      Thread thread = new Thread(loop, "early-completion-it");
      thread.start();
      try {
        h.awaitCounter("acme", Counter.REQUESTS, REQUESTS);
        Thread.sleep(1_000); // a report after the last completions

        h.assertExact("acme", gen);
        assertThat(metrics.get("completedEarly")).isLessThanOrEqualTo(metrics.get("completed"));
        return metrics;
      } finally {
        loop.close();
        thread.join(30_000);
      }
    }
  }
}
