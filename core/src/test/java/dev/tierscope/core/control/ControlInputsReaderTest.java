package dev.tierscope.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.testing.SummaryBuilder;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The policy's inputs, read from windows recorded the way the aggregator records them. */
class ControlInputsReaderTest {

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:05Z");

  /** The fast window: the three 10 s windows up to the one holding NOW. */
  private static final Instant FAST_FROM = Instant.parse("2026-12-01T09:59:40Z");

  private final TrafficClasses classes = TrafficClasses.defaults();
  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows =
      new WindowAggregator(
          10_000,
          2,
          c -> classes.contains(c) ? classes.get(c).objectives().ttftThresholdMicros() : -1);
  private final ControlConfig config = ControlConfig.defaults(classes);
  private final ControlInputsReader reader =
      new ControlInputsReader(
          store, new AttributionCalculator(store, 0.10), classes, config, Duration.ofSeconds(10));
  private final SplittableRandom random = new SplittableRandom(3);
  private long trace;

  /** {@code n} premium requests spread over [from, from + seconds), with the given components. */
  private void premium(Instant from, int seconds, int n, long meshMicros, long queueMicros) {
    for (int i = 0; i < n; i++) {
      long start = micros(from) + (long) (random.nextDouble() * seconds * 1_000_000L);
      long edge = 40_000 + random.nextInt(20_000);
      long mesh = meshMicros + random.nextInt(40_000);
      long model = queueMicros + 100_000 + random.nextInt(50_000);
      windows.record(
          SummaryBuilder.request()
              .traceId(++trace)
              .tenant("acme")
              .trafficClass("interactive_premium")
              .eventTime(start)
              .clientTtft(edge, mesh, model)
              .modelQueue(queueMicros)
              .build());
    }
  }

  private void commit() {
    store.commit("g", 1, List.of(), windows.drain());
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  @Test
  void healthyWindowsReadAsHealthyWithTheRatesOfTheLoadAndBaselineWindows() {
    premium(FAST_FROM.minus(config.baselineWindow()), 300, 1500, 100_000, 10_000);
    premium(FAST_FROM, 30, 150, 100_000, 10_000);
    commit();

    ControlInputs in = reader.read("acme", NOW);

    assertThat(in.windowFrom()).isEqualTo(FAST_FROM);
    assertThat(in.windowTo()).isEqualTo(FAST_FROM.plusSeconds(30));
    ClassReading r = in.reading("interactive_premium");
    assertThat(r.requests()).isEqualTo(150);
    assertThat(r.ttftCount()).isEqualTo(150);
    assertThat(r.burnRate()).isZero();
    assertThat(r.thresholdMicros()).isEqualTo(800_000);
    assertThat(r.ttftP95Micros()).isBetween(250_000L, 400_000L);
    assertThat(r.verdict()).isNull();
    assertThat(in.reading("deferred_batch").requests()).isZero();
    assertThat(in.baselineRequestsPerSecond()).isCloseTo(5.0, within(0.01));
    // 1500 requests over 300 s: about 150 in the last 30 s
    assertThat(in.requestsPerSecond()).isBetween(3.5, 6.5);
  }

  @Test
  void aYoungTenantsBaselineRateIsNotDilutedByTheWindowsBeforeItsFirstRequest() {
    premium(FAST_FROM.minusSeconds(60), 60, 600, 100_000, 10_000); // 10/s for the last minute only
    commit();

    ControlInputs in = reader.read("acme", NOW);

    assertThat(in.baselineRequestsPerSecond()).isCloseTo(10.0, within(0.01));
    assertThat(in.requestsPerSecond()).isBetween(8.0, 12.0);
  }

  @Test
  void queuedRequestsGiveABurnRateAndTheQueueShareOfTheSlowOnesWithoutAnAttribution() {
    premium(FAST_FROM.minus(config.baselineWindow()), 300, 1500, 100_000, 10_000);
    premium(FAST_FROM, 30, 90, 100_000, 10_000);
    premium(FAST_FROM, 30, 60, 100_000, 1_500_000); // 40% waited 1.5 s for the model
    commit();

    ClassReading r = reader.read("acme", NOW).reading("interactive_premium");

    assertThat(r.burnRate()).isCloseTo(0.4 / 0.05, within(0.01));
    // slow requests: ~1.75 s TTFT of which 1.5 s queue
    assertThat(r.queueShare()).isBetween(0.8, 0.9);
    assertThat(r.verdict()).as("the queue names the model; no attribution needed").isNull();
    assertThat(r.ttftP95Micros()).isGreaterThan(1_600_000);
  }

  @Test
  void aQueueInTheLatestWindowShowsInThePeakBurnRateBeforeTheWholeWindow() {
    premium(FAST_FROM.minus(config.baselineWindow()), 300, 1500, 100_000, 10_000);
    premium(FAST_FROM, 20, 100, 100_000, 10_000); // the first two windows: healthy
    premium(FAST_FROM.plusSeconds(20), 10, 30, 100_000, 10_000);
    premium(FAST_FROM.plusSeconds(20), 10, 10, 100_000, 1_500_000); // the latest: 10 of 40 queued

    ClassReading r = readAfterCommit();

    assertThat(r.burnRate()).isCloseTo(10.0 / 140 / 0.05, within(0.01)); // 1.4 over 30 s
    assertThat(r.peakBurnRate()).isCloseTo(10.0 / 40 / 0.05, within(0.01)); // 5 in its window
    // the slow requests of that window waited 1.5 s of their ~1.75 s
    assertThat(r.peakQueueShare()).isBetween(0.8, 0.9);
  }

  private ClassReading readAfterCommit() {
    commit();
    return reader.read("acme", NOW).reading("interactive_premium");
  }

  @Test
  void aClassInDistressWithoutAQueueGetsTheAttributionVerdict() {
    premium(FAST_FROM.minus(config.baselineWindow()), 300, 1500, 100_000, 10_000);
    premium(FAST_FROM, 30, 150, 1_100_000, 10_000); // the mesh got a second slower
    commit();

    ClassReading r = reader.read("acme", NOW).reading("interactive_premium");

    assertThat(r.burnRate()).isCloseTo(20.0, within(0.01));
    assertThat(r.queueShare()).isLessThan(0.05);
    assertThat(r.verdict()).isEqualTo(Tier.MESH);
  }

  @Test
  void queueShareFallsBackToAllRequestsThenToPercentiles() {
    assertThat(ControlInputsReader.queueShare(java.util.Map.of(), 0, null)).isZero();
    org.HdrHistogram.Histogram q = new org.HdrHistogram.Histogram(2);
    q.recordValue(300_000);
    assertThat(ControlInputsReader.queueShare(java.util.Map.of(), 1_000_000, q))
        .isCloseTo(0.3, within(0.01));
  }
}
