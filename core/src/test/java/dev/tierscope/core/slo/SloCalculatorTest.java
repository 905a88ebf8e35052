package dev.tierscope.core.slo;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SummaryBuilder.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.query.LatencyStats;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.testing.SummaryBuilder;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** A class's SLIs over a range, computed from windows committed to the store. */
class SloCalculatorTest {

  private static final TrafficClass PREMIUM = TrafficClasses.defaults().get("interactive_premium");
  private static final TrafficClass BATCH = TrafficClasses.defaults().get("deferred_batch");

  /** Range of six 10 s windows starting at T0. */
  private static final Instant FROM = Instant.ofEpochMilli(T0 / 1_000);

  private static final Instant TO = FROM.plusSeconds(60);

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows = new WindowAggregator(10_000, 2);
  private final SloCalculator calculator = new SloCalculator(store);

  /** Records {@code n} copies, spread over the windows of the range, and commits them. */
  private void record(int n, SummaryBuilder request) {
    for (int i = 0; i < n; i++) {
      windows.record(request.eventTime(T0 + (i % 6) * 10_000_000L).build());
    }
    store.commit("group", 1, List.of(), windows.drain());
  }

  private SloReport premiumReport() {
    return calculator.report("acme", PREMIUM, FROM, TO);
  }

  @Test
  void ttftGoodRatioCountsRequestsAtOrBelowTheThreshold() {
    // premium threshold 800 ms lies between the two recorded values
    record(19, request().gatewayTtft(600_000));
    record(1, request().gatewayTtft(1_000_000));

    SloReport report = premiumReport();

    assertThat(report.requests()).isEqualTo(20);
    assertThat(report.ttft().goodRatio()).isCloseTo(0.95, within(1e-12));
    assertThat(report.ttft().met()).isTrue();
    assertThat(report.ttft().stats().count()).isEqualTo(20);
    assertThat(report.ttft().failed()).isZero();
  }

  @Test
  void ttftBelowTargetIsNotMet() {
    record(18, request().gatewayTtft(600_000));
    record(2, request().gatewayTtft(1_000_000));

    SloReport report = premiumReport();

    assertThat(report.ttft().goodRatio()).isCloseTo(0.90, within(1e-12));
    assertThat(report.ttft().met()).isFalse();
  }

  @Test
  void sameLatenciesMeetTheObjectiveOfALaxerClass() {
    record(18, request().trafficClass("deferred_batch").gatewayTtft(600_000));
    record(2, request().trafficClass("deferred_batch").gatewayTtft(1_000_000));

    SloReport report = calculator.report("acme", BATCH, FROM, TO);

    assertThat(report.ttft().goodRatio()).isEqualTo(1.0);
    assertThat(report.ttft().met()).isTrue();
    assertThat(premiumReport().requests()).as("other class").isZero();
  }

  @Test
  void windowsOutsideTheRangeAreNotCounted() {
    record(1, request().gatewayTtft(600_000));
    windows.record(request().gatewayTtft(5_000_000).eventTime(T0 + 60_000_000).build());
    windows.record(request().gatewayTtft(5_000_000).eventTime(T0 - 1).build());
    store.commit("group", 1, List.of(), windows.drain());

    SloReport report = premiumReport();

    assertThat(report.requests()).isEqualTo(1);
    assertThat(report.ttft().goodRatio()).isEqualTo(1.0);
  }

  @Test
  void rangeWithoutDataMeetsEveryObjectiveVacuously() {
    SloReport report = premiumReport();

    assertThat(report.requests()).isZero();
    assertThat(report.ttft().goodRatio()).isEqualTo(1.0);
    assertThat(report.ttft().met()).isTrue();
    assertThat(report.ttft().stats()).isEqualTo(LatencyStats.EMPTY);
    assertThat(report.toolchain().goodRatio()).isEqualTo(1.0);
    assertThat(report.streams().rate()).isZero();
    assertThat(report.retrieval().ratio()).isZero();
    assertThat(report.retrieval().met()).isTrue();
    assertThat(report.trafficClass()).isEqualTo("interactive_premium");
    assertThat(report.from()).isEqualTo(FROM);
    assertThat(report.to()).isEqualTo(TO);
  }

  @Test
  void ttftComponentsAreReportedFromTheirHistograms() {
    record(10, request().clientTtft(250_000, 270_000, 380_000).modelQueue(120_000));
    record(5, request().gatewayTtft(650_000));

    SloReport report = premiumReport();

    assertThat(report.ttft().stats().count()).isEqualTo(15);
    assertThat(report.edge().count()).isEqualTo(10);
    assertThat(report.mesh().count()).isEqualTo(10);
    assertThat(report.model().count()).isEqualTo(10);
    assertThat(report.modelQueue().count()).isEqualTo(10);
    assertThat((double) report.edge().p95Micros()).isCloseTo(250_000, within(2_500.0));
    assertThat((double) report.model().p50Micros()).isCloseTo(380_000, within(3_800.0));
  }

  @Test
  void interruptionRateIsInterruptedOverStreamsAndIgnoresCancels() {
    record(197, request().stream(StreamOutcome.COMPLETED));
    record(1, request().stream(StreamOutcome.INTERRUPTED));
    record(2, request().stream(StreamOutcome.CANCELLED));
    record(5, request());

    SloReport.StreamSli streams = premiumReport().streams();

    assertThat(streams.streams()).isEqualTo(200);
    assertThat(streams.interrupted()).isEqualTo(1);
    assertThat(streams.cancelled()).isEqualTo(2);
    assertThat(streams.rate()).isCloseTo(0.005, within(1e-12));
    assertThat(streams.met()).as("0.5% is the premium maximum").isTrue();
  }

  @Test
  void interruptionRateAboveTheMaximumIsNotMet() {
    record(198, request().stream(StreamOutcome.COMPLETED));
    record(2, request().stream(StreamOutcome.INTERRUPTED));

    SloReport.StreamSli streams = premiumReport().streams();

    assertThat(streams.rate()).isCloseTo(0.01, within(1e-12));
    assertThat(streams.met()).isFalse();
  }

  @Test
  void retrievalRatiosAreFallbacksOverRetrievalsAndOverMisses() {
    record(23, request().retrievals(2, 0, 0));
    record(3, request().retrievals(1, 1, 0));
    record(1, request().retrievals(1, 1, 1));

    SloReport.RetrievalSli retrieval = premiumReport().retrieval();

    assertThat(retrieval.retrievals()).isEqualTo(50);
    assertThat(retrieval.misses()).isEqualTo(4);
    assertThat(retrieval.fallbacks()).isEqualTo(1);
    assertThat(retrieval.ratio()).isCloseTo(0.02, within(1e-12));
    assertThat(retrieval.missToFallback()).isCloseTo(0.25, within(1e-12));
    assertThat(retrieval.met()).as("2% is the premium maximum").isTrue();
  }

  @Test
  void retrievalFallbackRatioAboveTheMaximumIsNotMet() {
    record(48, request().retrievals(1, 0, 0));
    record(2, request().retrievals(1, 1, 1));

    SloReport.RetrievalSli retrieval = premiumReport().retrieval();

    assertThat(retrieval.ratio()).isCloseTo(0.04, within(1e-12));
    assertThat(retrieval.missToFallback()).isEqualTo(1.0);
    assertThat(retrieval.met()).isFalse();
  }

  @Test
  void failedToolChainsCountAsBadWhateverTheirLatency() {
    // premium tool-chain threshold 3 s
    record(1, request().toolchain(2, 1_000_000, false));
    record(1, request().toolchain(3, 1_500_000, true));
    record(1, request().toolchain(1, 5_000_000, false));

    SloReport.LatencySli tool = premiumReport().toolchain();

    assertThat(tool.failed()).isEqualTo(1);
    assertThat(tool.goodRatio()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(tool.met()).isFalse();
    assertThat(tool.stats().count()).isEqualTo(3);
  }

  @Test
  void toolChainsWithinThresholdMeetTheTarget() {
    record(20, request().toolchain(2, 1_000_000, false));

    SloReport.LatencySli tool = premiumReport().toolchain();

    assertThat(tool.goodRatio()).isEqualTo(1.0);
    assertThat(tool.met()).isTrue();
    assertThat(tool.failed()).isZero();
  }

  @Test
  void slowFailedToolChainIsOneBadEvent() {
    record(1, request().toolchain(1, 1_000_000, false));
    record(1, request().toolchain(1, 10_000_000, true));

    SloReport.LatencySli tool = premiumReport().toolchain();

    assertThat(tool.goodRatio()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void countersReadOnAnotherThreadGiveTheSameReport() throws Exception {
    record(19, request().gatewayTtft(600_000));
    record(1, request().gatewayTtft(1_000_000));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Set<String> threads = ConcurrentHashMap.newKeySet();
      WindowReader watched =
          storeAfter(
              () -> threads.add("histograms " + Thread.currentThread().getName()),
              () -> threads.add("counters " + Thread.currentThread().getName()));

      SloReport parallel =
          new SloCalculator(watched, store, pool).report("acme", PREMIUM, FROM, TO);

      assertThat(parallel).isEqualTo(premiumReport());
      assertThat(parallel.requests()).isEqualTo(20);
      assertThat(threads)
          .contains("histograms " + Thread.currentThread().getName())
          .doesNotContain("counters " + Thread.currentThread().getName())
          .hasSize(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedCounterReadOnAnotherThreadFailsTheReportWithItsOwnException() {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      WindowReader failing =
          storeAfter(
              () -> {},
              () -> {
                throw new IllegalStateException("store unavailable");
              });

      assertThatThrownBy(
              () -> new SloCalculator(failing, store, pool).report("acme", PREMIUM, FROM, TO))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("store unavailable");
    } finally {
      pool.shutdownNow();
    }
  }

  /** The store's reads, each after its hook (which may throw instead). */
  private WindowReader storeAfter(Runnable beforeHistograms, Runnable beforeCounters) {
    return new WindowReader() {
      @Override
      public List<Map<Metric, Histogram>> mergedPerInterval(
          String tenant, String trafficClass, Set<Metric> metrics, List<Instant> boundaries) {
        beforeHistograms.run();
        return store.mergedPerInterval(tenant, trafficClass, metrics, boundaries);
      }

      @Override
      public List<Map<CounterKey, Long>> countersPerInterval(
          String tenant, String trafficClass, Set<Counter> counters, List<Instant> boundaries) {
        beforeCounters.run();
        return store.countersPerInterval(tenant, trafficClass, counters, boundaries);
      }
    };
  }
}
