package dev.tierscope.api;

import static dev.tierscope.api.Scenarios.NOW;
import static dev.tierscope.api.Scenarios.PREMIUM;
import static dev.tierscope.api.Scenarios.PREMIUM_TOOLCHAIN_MICROS;
import static dev.tierscope.api.Scenarios.PREMIUM_TTFT_MICROS;
import static dev.tierscope.api.Truth.assertPercentileMs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import dev.tierscope.core.span.StreamOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/slo}, {@code /api/v1/classes} and {@code /api/v1/capacity/tokens} against ground
 * truth of a generated day: counts exact, percentiles within 1%, good ratios exact at thresholds
 * between any fixed bucket edges (737 ms, 2345 ms), and a 24 h range read from rollups.
 */
class SloApiIT {

  private static ApiFixture f;
  private static List<Req> premiumDay;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
    premiumDay = f.day.stream().filter(r -> r.trafficClass.equals(PREMIUM)).toList();
  }

  @Test
  void dayRangeAnswersEveryFieldFromRollupsExactly() {
    long raw = f.rowsRead(10);
    long minutes = f.rowsRead(60);
    long hours = f.rowsRead(3600);

    DocumentContext j = assertSloMatchesTruth(NOW.minus(Duration.ofDays(1)), NOW);

    long rawRead = f.rowsRead(10) - raw;
    long minutesRead = f.rowsRead(60) - minutes;
    long hoursRead = f.rowsRead(3600) - hours;
    // 23 complete hours from 1 h rollups, 11:00-11:57 from 1 min rollups (the rollup job's
    // delay), the last 3 minutes (18 raw windows) raw: not the 8 640 raw windows of the day.
    assertThat(hoursRead).as("hourly rollup rows").isBetween(23L, 23L * 17);
    assertThat(minutesRead).as("minute rollup rows").isBetween(57L, 57L * 17);
    assertThat(rawRead).as("raw window rows").isBetween(1L, 18L * 17);
    assertThat(j.read("$.requests", Long.class)).isGreaterThan(4_000L);
  }

  @Test
  void raggedRangesMergeRollupsAndRawWindowsExactly() {
    // Neither end on a window, a minute or an hour: raw windows at both ends, then minutes.
    assertSloMatchesTruth(
        NOW.minus(Duration.ofHours(23)).plusSeconds(25).plusMillis(500),
        NOW.minus(Duration.ofHours(7)).minusSeconds(35));
    assertSloMatchesTruth(NOW.minus(Duration.ofMinutes(95)).plusSeconds(3), NOW.plusSeconds(60));
    // Half a millisecond after a window start leaves that window out.
    Instant w = NOW.minus(Duration.ofHours(2));
    assertSloMatchesTruth(w.plusNanos(500_000), w.plus(Duration.ofMinutes(10)));
  }

  @Test
  void rangeWithoutDataHasZeroCountsAndMetObjectives() {
    DocumentContext j =
        f.json(
            "/api/v1/slo?class=interactive_premium&tenant=day&from=2026-01-01T00:00:00Z&to="
                + Instant.parse("2026-01-02T00:00:00Z").toEpochMilli());
    assertThat(j.read("$.requests", Long.class)).isZero();
    assertThat(j.read("$.slis.ttft.count", Long.class)).isZero();
    assertThat(j.read("$.slis.ttft.goodRatio", Double.class)).isEqualTo(1.0);
    assertThat(j.read("$.slis.ttft.met", Boolean.class)).isTrue();
    assertThat(j.read("$.components.edge.count", Long.class)).isZero();
  }

  @Test
  void classesListsConfiguredObjectives() {
    DocumentContext j = f.json("/api/v1/classes");
    assertThat(j.read("$[*].name", List.class))
        .containsExactly("interactive_premium", "standard_interactive", "deferred_batch");
    assertThat(j.read("$[0].objectives.ttft.thresholdMs", Double.class)).isEqualTo(737.0);
    assertThat(j.read("$[0].objectives.ttft.target", Double.class)).isEqualTo(0.95);
    assertThat(j.read("$[0].objectives.streamInterruption.maxRate", Double.class)).isEqualTo(0.005);
    assertThat(j.read("$[0].objectives.toolchainLatency.thresholdMs", Double.class))
        .isEqualTo(2345.0);
    assertThat(j.read("$[0].objectives.toolchainLatency.target", Double.class)).isEqualTo(0.95);
    assertThat(j.read("$[0].objectives.retrievalFallback.maxRatio", Double.class)).isEqualTo(0.02);
    assertThat(j.read("$[1].objectives.ttft.thresholdMs", Double.class)).isEqualTo(1500.0);
    assertThat(j.read("$[2].objectives.toolchainLatency.thresholdMs", Double.class))
        .isEqualTo(60_000.0);
    assertThat(j.read("$[2].objectives.retrievalFallback.maxRatio", Double.class)).isEqualTo(0.10);
    // each objective with its source: property, spec file position, or default
    assertThat(j.read("$[0].objectives.ttft.source.type", String.class)).isEqualTo("property");
    assertThat(j.read("$[0].objectives.ttft.source.properties", List.class))
        .containsExactly("tierscope.classes.objectives.interactive_premium.ttft-threshold");
    assertThat(j.read("$[0].objectives.streamInterruption.source.text", String.class))
        .isEqualTo("default");
    assertThat(j.read("$[2].objectives.retrievalFallback.source.type", String.class))
        .isEqualTo("file");
    assertThat(j.read("$[2].objectives.retrievalFallback.source.text", String.class))
        .isEqualTo(ApiFixture.SPEC_FILE + ":3:1");
    assertThat(j.read("$[2].objectives.retrievalFallback.source.line", Integer.class)).isEqualTo(3);
    assertThat(j.read("$[2].objectives.retrievalFallback.timeWindow", String.class))
        .isEqualTo("30d");
    assertThat(j.read("$[2].objectives.ttft", Map.class)).doesNotContainKey("timeWindow");
    assertThat(j.read("$[0].objectives.model.thresholdMs", Double.class)).isEqualTo(400.0);
    assertThat(j.read("$[0].objectives.model.source.text", String.class))
        .isEqualTo(ApiFixture.SPEC_FILE + ":25:1");
    assertThat(j.read("$[1].objectives", Map.class)).doesNotContainKeys("edge", "mesh", "model");
  }

  @Test
  void tokenDemandPerClassWorkflowAndStepIsExact() {
    Instant from = NOW.minus(Duration.ofDays(1));
    DocumentContext j =
        f.json("/api/v1/capacity/tokens?tenant=day&from=" + from + "&to=" + NOW + "&step=6h");
    assertThat(j.read("$.step", String.class)).isEqualTo("6h");
    // truth: class -> workflow -> [input, output] per step
    Map<String, long[][]> truth = new TreeMap<>();
    for (Req r : f.day) {
      int step =
          (int) (Duration.between(from, Instant.ofEpochMilli(r.windowStartMillis())).toHours() / 6);
      long[][] io = truth.computeIfAbsent(r.trafficClass + "/" + r.workflow, k -> new long[2][4]);
      io[0][step] += r.inputTokens;
      io[1][step] += r.outputTokens;
    }
    List<Map<String, Object>> series = j.read("$.series");
    assertThat(series).hasSize(truth.size());
    for (int s = 0; s < series.size(); s++) {
      String key =
          j.read("$.series[" + s + "].class") + "/" + j.read("$.series[" + s + "].workflow");
      long[][] io = truth.get(key);
      assertThat(io).as(key).isNotNull();
      assertThat(j.read("$.series[" + s + "].inputTokens", Long.class))
          .isEqualTo(io[0][0] + io[0][1] + io[0][2] + io[0][3]);
      assertThat(j.read("$.series[" + s + "].outputTokens", Long.class))
          .isEqualTo(io[1][0] + io[1][1] + io[1][2] + io[1][3]);
      for (int p = 0; p < 4; p++) {
        String point = "$.series[" + s + "].points[" + p + "]";
        assertThat(Instant.parse(j.read(point + ".t", String.class)))
            .isEqualTo(from.plus(Duration.ofHours(6L * p)));
        assertThat(j.read(point + ".inputTokens", Long.class)).as(key).isEqualTo(io[0][p]);
        assertThat(j.read(point + ".outputTokens", Long.class)).as(key).isEqualTo(io[1][p]);
      }
    }
    assertThat(j.read("$.series[*].class", List.class))
        .contains("interactive_premium", "standard_interactive");
  }

  /** Every field of /slo for premium in tenant day against the generated requests. */
  private static DocumentContext assertSloMatchesTruth(Instant from, Instant to) {
    DocumentContext j =
        f.json(
            "/api/v1/slo?class=interactive_premium&tenant=day&from="
                + from
                + "&to="
                + to.toEpochMilli());
    List<Req> rs = Truth.in(premiumDay, from, to);
    String range = " [" + from + ", " + to + ")";
    assertThat(j.read("$.class", String.class)).isEqualTo(PREMIUM);
    assertThat(j.read("$.tenant", String.class)).isEqualTo("day");
    assertThat(j.read("$.requests", Long.class)).as("requests" + range).isEqualTo(rs.size());

    List<Long> ttft = Truth.values(rs, r -> true, Req::ttft);
    assertThat(j.read("$.slis.ttft.count", Long.class)).isEqualTo(ttft.size());
    assertPercentileMs("ttft p50" + range, j.read("$.slis.ttft.p50Ms", Double.class), ttft, 50);
    assertPercentileMs("ttft p90" + range, j.read("$.slis.ttft.p90Ms", Double.class), ttft, 90);
    assertPercentileMs("ttft p95" + range, j.read("$.slis.ttft.p95Ms", Double.class), ttft, 95);
    assertPercentileMs("ttft p99" + range, j.read("$.slis.ttft.p99Ms", Double.class), ttft, 99);
    assertPercentileMs("ttft max" + range, j.read("$.slis.ttft.maxMs", Double.class), ttft, 100);
    double ttftGood =
        (double) Truth.count(rs, r -> r.ttft() <= PREMIUM_TTFT_MICROS) / Math.max(1, rs.size());
    assertThat(j.read("$.slis.ttft.goodRatio", Double.class))
        .as("ttft good ratio at 737 ms" + range)
        .isCloseTo(ttftGood, within(1e-12));
    assertThat(j.read("$.slis.ttft.met", Boolean.class)).isEqualTo(ttftGood >= 0.95);

    long streams = Truth.count(rs, r -> r.streamed);
    long interrupted = Truth.count(rs, r -> r.streamed && r.outcome == StreamOutcome.INTERRUPTED);
    long cancelled = Truth.count(rs, r -> r.streamed && r.outcome == StreamOutcome.CANCELLED);
    double rate = streams == 0 ? 0 : (double) interrupted / streams;
    assertThat(j.read("$.slis.streamInterruption.streams", Long.class)).isEqualTo(streams);
    assertThat(j.read("$.slis.streamInterruption.interrupted", Long.class)).isEqualTo(interrupted);
    assertThat(j.read("$.slis.streamInterruption.cancelled", Long.class)).isEqualTo(cancelled);
    assertThat(j.read("$.slis.streamInterruption.rate", Double.class))
        .isCloseTo(rate, within(1e-12));
    assertThat(j.read("$.slis.streamInterruption.met", Boolean.class)).isEqualTo(rate <= 0.005);

    List<Req> chains = rs.stream().filter(r -> r.toolCalls > 0).toList();
    List<Long> tool = Truth.values(chains, r -> true, r -> r.toolchain);
    long failed = Truth.count(chains, r -> r.toolFailed);
    double toolGood =
        chains.isEmpty()
            ? 1.0
            : (double)
                    Truth.count(
                        chains, r -> !r.toolFailed && r.toolchain <= PREMIUM_TOOLCHAIN_MICROS)
                / chains.size();
    assertThat(j.read("$.slis.toolchainLatency.count", Long.class)).isEqualTo(chains.size());
    if (!tool.isEmpty()) {
      assertPercentileMs(
          "tool p50", j.read("$.slis.toolchainLatency.p50Ms", Double.class), tool, 50);
      assertPercentileMs(
          "tool p95", j.read("$.slis.toolchainLatency.p95Ms", Double.class), tool, 95);
      assertPercentileMs(
          "tool p99", j.read("$.slis.toolchainLatency.p99Ms", Double.class), tool, 99);
    }
    assertThat(j.read("$.slis.toolchainLatency.failed", Long.class)).isEqualTo(failed);
    assertThat(j.read("$.slis.toolchainLatency.goodRatio", Double.class))
        .as("tool-chain good ratio at 2345 ms, failed chains bad" + range)
        .isCloseTo(toolGood, within(1e-12));
    assertThat(j.read("$.slis.toolchainLatency.met", Boolean.class)).isEqualTo(toolGood >= 0.95);

    long retrievals = Truth.sum(rs, r -> r.retrievals);
    long misses = Truth.sum(rs, r -> r.misses);
    long fallbacks = Truth.sum(rs, r -> r.fallbacks);
    double ratio = retrievals == 0 ? 0 : (double) fallbacks / retrievals;
    assertThat(j.read("$.slis.retrievalFallback.retrievals", Long.class)).isEqualTo(retrievals);
    assertThat(j.read("$.slis.retrievalFallback.misses", Long.class)).isEqualTo(misses);
    assertThat(j.read("$.slis.retrievalFallback.fallbacks", Long.class)).isEqualTo(fallbacks);
    assertThat(j.read("$.slis.retrievalFallback.ratio", Double.class))
        .isCloseTo(ratio, within(1e-12));
    assertThat(j.read("$.slis.retrievalFallback.missToFallback", Double.class))
        .isCloseTo(misses == 0 ? 0 : (double) fallbacks / misses, within(1e-12));
    assertThat(j.read("$.slis.retrievalFallback.met", Boolean.class)).isEqualTo(ratio <= 0.02);

    List<Long> edge = Truth.values(rs, r -> r.client, r -> r.edge);
    List<Long> mesh = Truth.values(rs, r -> true, r -> r.mesh);
    List<Long> model = Truth.values(rs, r -> true, r -> r.model);
    List<Long> queue = Truth.values(rs, r -> true, r -> r.queue);
    assertThat(j.read("$.components.edge.count", Long.class)).isEqualTo(edge.size());
    assertThat(j.read("$.components.mesh.count", Long.class)).isEqualTo(mesh.size());
    assertThat(j.read("$.components.model.count", Long.class)).isEqualTo(model.size());
    assertThat(j.read("$.components.modelQueue.count", Long.class)).isEqualTo(queue.size());
    if (!rs.isEmpty()) {
      assertPercentileMs("edge p50", j.read("$.components.edge.p50Ms", Double.class), edge, 50);
      assertPercentileMs("edge p95", j.read("$.components.edge.p95Ms", Double.class), edge, 95);
      assertPercentileMs("mesh p50", j.read("$.components.mesh.p50Ms", Double.class), mesh, 50);
      assertPercentileMs("mesh p95", j.read("$.components.mesh.p95Ms", Double.class), mesh, 95);
      assertPercentileMs("model p50", j.read("$.components.model.p50Ms", Double.class), model, 50);
      assertPercentileMs("model p95", j.read("$.components.model.p95Ms", Double.class), model, 95);
      assertPercentileMs(
          "queue p50", j.read("$.components.modelQueue.p50Ms", Double.class), queue, 50);
      assertPercentileMs(
          "queue p95", j.read("$.components.modelQueue.p95Ms", Double.class), queue, 95);
    }
    return j;
  }
}
