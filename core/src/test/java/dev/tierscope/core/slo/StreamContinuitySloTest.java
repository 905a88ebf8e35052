package dev.tierscope.core.slo;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SummaryBuilder.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.query.StepPlan;
import dev.tierscope.core.query.TimeRange;
import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.testing.SummaryBuilder;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Stream continuity over a range against the ground truth of what was recorded: counts exact,
 * percentiles within 1% of the exact nearest-rank percentile, a fixed idle timeout a spike at one
 * duration.
 */
class StreamContinuitySloTest {

  private static final TrafficClass PREMIUM = TrafficClasses.defaults().get("interactive_premium");
  private static final Instant FROM = Instant.ofEpochMilli(T0 / 1_000);
  private static final long IDLE_TIMEOUT_MICROS = 60_000_000;

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows = new WindowAggregator(10_000, 2);

  @Test
  void reportAndSeriesMatchTheGroundTruth() {
    SplittableRandom random = new SplittableRandom(19);
    List<Long> gaps = new ArrayList<>();
    long stallReports = 0;
    long stalledStreams = 0;
    long stalls = 0;
    Map<InterruptionCause, List<Long>> cuts = new EnumMap<>(InterruptionCause.class);
    List<Long> cancels = new ArrayList<>();
    long streams = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      SummaryBuilder r = request().traceId(i + 1).eventTime(T0 + i * 30_000L);
      if (i % 10 == 9) {
        windows.record(r.build()); // not streamed
        continue;
      }
      streams++;
      long gap = -1;
      int stall = -1;
      if (i % 4 != 0) {
        gap = (long) (40_000 * Math.exp(1.2 * gaussian(random)));
        gaps.add(gap);
      }
      if (i % 5 != 0) {
        stall = random.nextInt(10) < 7 ? 0 : 1 + random.nextInt(5);
        stallReports++;
        stalledStreams += stall > 0 ? 1 : 0;
        stalls += stall;
      }
      r.continuity(gap, stall);
      int kind = random.nextInt(100);
      if (kind < 3) {
        // a proxy's fixed idle timeout: always the same time into the stream
        r.interrupted(InterruptionCause.IDLE_TIMEOUT, IDLE_TIMEOUT_MICROS);
        cuts.computeIfAbsent(InterruptionCause.IDLE_TIMEOUT, k -> new ArrayList<>())
            .add(IDLE_TIMEOUT_MICROS);
      } else if (kind < 5) {
        long cut = 500_000 + random.nextLong(20_000_000);
        InterruptionCause cause =
            random.nextBoolean() ? InterruptionCause.NETWORK : InterruptionCause.UPSTREAM_RESET;
        r.interrupted(cause, cut);
        cuts.computeIfAbsent(cause, k -> new ArrayList<>()).add(cut);
      } else if (kind < 6) {
        long cut = 1_000_000 + random.nextLong(5_000_000);
        r.interrupted(InterruptionCause.UNKNOWN, cut);
        cuts.computeIfAbsent(InterruptionCause.UNKNOWN, k -> new ArrayList<>()).add(cut);
      } else if (kind < 10) {
        long cut = 300_000 + random.nextLong(9_000_000);
        r.cancelled(cut);
        cancels.add(cut);
      } else {
        r.stream(StreamOutcome.COMPLETED);
      }
      windows.record(r.build());
    }
    store.commit("g", 1, List.of(), windows.drain());
    Instant to = FROM.plusSeconds(n * 30L / 1_000 + 10);

    SloReport report = new SloCalculator(store).report("acme", PREMIUM, FROM, to);
    SloReport.Continuity c = report.continuity();
    assertThat(report.streams().streams()).isEqualTo(streams);
    assertThat(c.maxGap().count()).isEqualTo(gaps.size());
    assertWithinOnePercent(c.maxGap().p50Micros(), exact(gaps, 50));
    assertWithinOnePercent(c.maxGap().p95Micros(), exact(gaps, 95));
    assertWithinOnePercent(c.maxGap().p99Micros(), exact(gaps, 99));
    assertWithinOnePercent(c.maxGap().maxMicros(), exact(gaps, 100));
    assertThat(c.stallReports()).isEqualTo(stallReports);
    assertThat(c.stalledStreams()).isEqualTo(stalledStreams);
    assertThat(c.stalls()).isEqualTo(stalls);
    assertThat(c.stalledRate()).isCloseTo((double) stalledStreams / stallReports, within(1e-12));

    long interrupted = cuts.values().stream().mapToLong(List::size).sum();
    assertThat(report.streams().interrupted()).isEqualTo(interrupted);
    assertThat(report.streams().cancelled()).isEqualTo(cancels.size());
    assertThat(c.interruptionsByCause().keySet())
        .containsExactlyInAnyOrder("idle_timeout", "network", "upstream_reset", "unknown");
    cuts.forEach(
        (cause, values) -> {
          SloReport.Cut cut = c.interruptionsByCause().get(cause.id());
          assertThat(cut.count()).as(cause.id()).isEqualTo(values.size());
          assertThat(cut.timeIntoStream().count()).isEqualTo(values.size());
          assertWithinOnePercent(cut.timeIntoStream().p50Micros(), exact(values, 50));
          assertWithinOnePercent(cut.timeIntoStream().p99Micros(), exact(values, 99));
        });
    // The spike: every idle-timeout cut at one duration, p50 = max.
    SloReport.Cut idle = c.interruptionsByCause().get("idle_timeout");
    assertThat(idle.timeIntoStream().p50Micros()).isEqualTo(idle.timeIntoStream().maxMicros());
    assertWithinOnePercent(idle.timeIntoStream().p50Micros(), IDLE_TIMEOUT_MICROS);
    assertThat(c.cancelled().count()).isEqualTo(cancels.size());
    assertWithinOnePercent(c.cancelled().timeIntoStream().p90Micros(), exact(cancels, 90));

    // The series over the whole range in one step agree with the report.
    SeriesCalculator series = new SeriesCalculator(store);
    StepPlan one = new StepPlan(new TimeRange(FROM, to), Duration.between(FROM, to));
    assertThat(point(series, Signal.STREAM_MAX_GAP, Signal.Stat.COUNT, one))
        .isEqualTo((double) gaps.size());
    assertThat(point(series, Signal.STREAM_MAX_GAP, Signal.Stat.P95, one))
        .isEqualTo((double) c.maxGap().p95Micros());
    assertThat(point(series, Signal.STREAM_STALLS, Signal.Stat.COUNT, one))
        .isEqualTo((double) stalls);
    assertThat(point(series, Signal.STREAM_STALLS, Signal.Stat.RATE, one))
        .isCloseTo((double) stalledStreams / stallReports, within(1e-12));
    assertThat(point(series, Signal.STREAM_CUT_IDLE_TIMEOUT, Signal.Stat.COUNT, one))
        .isEqualTo((double) cuts.get(InterruptionCause.IDLE_TIMEOUT).size());
    assertThat(point(series, Signal.STREAM_CUT_IDLE_TIMEOUT, Signal.Stat.P50, one))
        .isEqualTo((double) idle.timeIntoStream().p50Micros());
    assertThat(point(series, Signal.STREAM_CUT_CANCELLED, Signal.Stat.COUNT, one))
        .isEqualTo((double) cancels.size());
    assertThat(point(series, Signal.STREAM_CUT_SERVER_ERROR, Signal.Stat.P50, one))
        .as("no server errors: no value")
        .isNull();
  }

  @Test
  void aRangeWithoutStreamsHasEmptyContinuity() {
    SloReport.Continuity c =
        new SloCalculator(store).report("acme", PREMIUM, FROM, FROM.plusSeconds(60)).continuity();
    assertThat(c.maxGap().count()).isZero();
    assertThat(c.stalledRate()).isZero();
    assertThat(c.interruptionsByCause()).isEmpty();
    assertThat(c.cancelled().count()).isZero();
  }

  private static Double point(SeriesCalculator s, Signal signal, Signal.Stat stat, StepPlan plan) {
    List<SeriesCalculator.Point> points = s.series("acme", PREMIUM, signal, stat, plan);
    assertThat(points).hasSize(1);
    return points.get(0).value();
  }

  private static void assertWithinOnePercent(long actual, long exact) {
    assertThat((double) actual).isCloseTo((double) exact, within(exact * 0.01 + 1));
  }

  /** Nearest-rank percentile, the definition HdrHistogram uses. */
  private static long exact(List<Long> values, double percentile) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
