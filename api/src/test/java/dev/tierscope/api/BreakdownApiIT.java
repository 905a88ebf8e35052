package dev.tierscope.api;

import static dev.tierscope.api.Scenarios.NOW;
import static dev.tierscope.api.Scenarios.PREMIUM;
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
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code breakdown=} and {@code filter=} on {@code /api/v1/slo} and {@code /api/v1/slo/series}
 * against ground truth of the generated day: per value, counts exact, percentiles within 1%, ratios
 * exact; the values add up to the unbroken response; read from rollups and raw windows alike.
 */
class BreakdownApiIT {

  private static ApiFixture f;
  private static List<Req> premiumDay;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
    premiumDay = f.day.stream().filter(r -> r.trafficClass.equals(PREMIUM)).toList();
  }

  @Test
  void eachModelHasTheSameFieldsAsTheClassFromItsOwnRequests() {
    // a day: hourly and minute rollups and the last raw windows
    assertBreakdownMatchesTruth("model", r -> r.modelName, NOW.minus(Duration.ofDays(1)), NOW);
  }

  @Test
  void eachClientPathOnARaggedRange() {
    assertBreakdownMatchesTruth(
        "clientPath",
        r -> r.client ? r.clientPath : "unknown",
        NOW.minus(Duration.ofHours(5)).plusSeconds(25),
        NOW.minus(Duration.ofMinutes(20)).plusSeconds(3));
  }

  @Test
  void aFilterAnswersTheOneValue() {
    Instant from = NOW.minus(Duration.ofHours(3));
    DocumentContext j = f.json(slo(from, NOW) + "&filter=model:llama-3-70b");
    assertThat(j.read("$.breakdown", String.class)).isEqualTo("model");
    assertThat(j.read("$.entries[*].value", List.class)).containsExactly("llama-3-70b");
    assertThat(j.read("$.entries[0].requests", Long.class))
        .isEqualTo(
            Truth.count(Truth.in(premiumDay, from, NOW), r -> r.modelName.equals("llama-3-70b")));
    DocumentContext none = f.json(slo(from, NOW) + "&breakdown=model&filter=model:nope");
    assertThat(none.read("$.entries", List.class)).isEmpty();
  }

  @Test
  void withoutBreakdownTheResponseHasNoEntries() {
    DocumentContext j = f.json(slo(NOW.minus(Duration.ofHours(1)), NOW));
    assertThat(j.read("$", Map.class)).doesNotContainKeys("breakdown", "entries");
  }

  @Test
  void seriesPerModelCountsAndPercentilesPerStep() {
    Instant from = NOW.minus(Duration.ofHours(6));
    DocumentContext j =
        f.json(
            "/api/v1/slo/series?class=interactive_premium&tenant=day&sli=ttft&stat=p95&step=1h&from="
                + from
                + "&to="
                + NOW
                + "&breakdown=model");
    assertThat(j.read("$.breakdown", String.class)).isEqualTo("model");
    assertThat(j.read("$.entries[*].value", List.class))
        .containsExactly("gpt-4o", "llama-3-70b", "mistral-large");
    for (int e = 0; e < 3; e++) {
      String model = j.read("$.entries[" + e + "].value");
      assertThat(j.read("$.entries[" + e + "].points", List.class)).hasSize(6);
      for (int p = 0; p < 6; p++) {
        Instant s = from.plus(Duration.ofHours(p));
        List<Long> ttft =
            Truth.values(
                Truth.in(premiumDay, s, s.plus(Duration.ofHours(1))),
                r -> r.modelName.equals(model),
                Req::ttft);
        assertPercentileMs(
            model + " step " + p,
            j.read("$.entries[" + e + "].points[" + p + "].value", Double.class),
            ttft,
            95);
      }
    }
    DocumentContext counts =
        f.json(
            "/api/v1/slo/series?class=interactive_premium&tenant=day&sli=streamInterruption"
                + "&stat=count&step=1h&from="
                + from
                + "&to="
                + NOW
                + "&filter=model:gpt-4o");
    assertThat(counts.read("$.entries[*].value", List.class)).containsExactly("gpt-4o");
    for (int p = 0; p < 6; p++) {
      Instant s = from.plus(Duration.ofHours(p));
      assertThat(counts.read("$.entries[0].points[" + p + "].value", Double.class))
          .isEqualTo(
              (double)
                  Truth.count(
                      Truth.in(premiumDay, s, s.plus(Duration.ofHours(1))),
                      r -> r.streamed && r.modelName.equals("gpt-4o")));
    }
  }

  private static String slo(Instant from, Instant to) {
    return "/api/v1/slo?class=interactive_premium&tenant=day&from=" + from + "&to=" + to;
  }

  private static void assertBreakdownMatchesTruth(
      String dimension, Function<Req, String> valueOf, Instant from, Instant to) {
    DocumentContext j = f.json(slo(from, to) + "&breakdown=" + dimension);
    List<Req> rs = Truth.in(premiumDay, from, to);
    Map<String, List<Req>> byValue = new TreeMap<>();
    for (Req r : rs) {
      byValue.computeIfAbsent(valueOf.apply(r), v -> new java.util.ArrayList<>()).add(r);
    }
    assertThat(j.read("$.breakdown", String.class)).isEqualTo(dimension);
    assertThat(j.read("$.entries[*].value", List.class))
        .containsExactlyElementsOf(byValue.keySet());
    long sum = 0;
    int e = 0;
    for (Map.Entry<String, List<Req>> v : byValue.entrySet()) {
      String at = "$.entries[" + e++ + "]";
      List<Req> vs = v.getValue();
      String what = dimension + "=" + v.getKey();
      assertThat(j.read(at + ".requests", Long.class)).as(what).isEqualTo(vs.size());
      sum += vs.size();
      List<Long> ttft = Truth.values(vs, r -> true, Req::ttft);
      assertThat(j.read(at + ".slis.ttft.count", Long.class)).isEqualTo(ttft.size());
      assertPercentileMs(what + " p50", j.read(at + ".slis.ttft.p50Ms", Double.class), ttft, 50);
      assertPercentileMs(what + " p95", j.read(at + ".slis.ttft.p95Ms", Double.class), ttft, 95);
      assertPercentileMs(what + " p99", j.read(at + ".slis.ttft.p99Ms", Double.class), ttft, 99);
      assertThat(j.read(at + ".slis.ttft.goodRatio", Double.class))
          .as(what)
          .isCloseTo(
              (double) Truth.count(vs, r -> r.ttft() <= PREMIUM_TTFT_MICROS) / vs.size(),
              within(1e-12));
      long streams = Truth.count(vs, r -> r.streamed);
      assertThat(j.read(at + ".slis.streamInterruption.streams", Long.class)).isEqualTo(streams);
      assertThat(j.read(at + ".slis.streamInterruption.interrupted", Long.class))
          .isEqualTo(Truth.count(vs, r -> r.streamed && r.outcome == StreamOutcome.INTERRUPTED));
      assertThat(j.read(at + ".slis.retrievalFallback.retrievals", Long.class))
          .isEqualTo(Truth.sum(vs, r -> r.retrievals));
      assertThat(j.read(at + ".slis.retrievalFallback.fallbacks", Long.class))
          .isEqualTo(Truth.sum(vs, r -> r.fallbacks));
      assertThat(j.read(at + ".slis.toolchainLatency.count", Long.class))
          .isEqualTo(Truth.count(vs, r -> r.toolCalls > 0));
      List<Long> edge = Truth.values(vs, r -> r.client, r -> r.edge);
      assertThat(j.read(at + ".components.edge.count", Long.class)).isEqualTo(edge.size());
      if (!edge.isEmpty()) {
        assertPercentileMs(
            what + " edge p95", j.read(at + ".components.edge.p95Ms", Double.class), edge, 95);
      }
      List<Long> mesh = Truth.values(vs, r -> true, r -> r.mesh);
      assertPercentileMs(
          what + " mesh p50", j.read(at + ".components.mesh.p50Ms", Double.class), mesh, 50);
    }
    assertThat(sum).isEqualTo(j.read("$.requests", Long.class)).isEqualTo(rs.size());
  }
}
