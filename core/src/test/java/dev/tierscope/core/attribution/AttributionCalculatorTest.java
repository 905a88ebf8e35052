package dev.tierscope.core.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.assembly.MeshRole;
import dev.tierscope.core.assembly.RequestSummary;
import dev.tierscope.core.assembly.Vantage;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Tier attribution of DESIGN.md section 3 on windows recorded by the aggregator's own code. */
class AttributionCalculatorTest {

  private static final TrafficClass PREMIUM = TrafficClasses.defaults().get("interactive_premium");
  private static final Instant FROM = Instant.parse("2026-11-20T10:00:00Z");
  private static final Instant TO = FROM.plus(Duration.ofHours(1));
  private static final Instant BASELINE = FROM.minus(Duration.ofHours(1));

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows =
      new WindowAggregator(10_000, 2, cls -> PREMIUM.objectives().ttftThresholdMicros());
  private final AttributionCalculator calculator = new AttributionCalculator(store, 0.10);

  /** One request's shape; components in microseconds. */
  private static final class R {
    long edge = 40_000;
    long mesh = 80_000;
    long queue = 30_000;
    long prefill = 200_000;
    boolean client = true;
    String path = "direct";
    boolean fallback;
    int retransmits;
    MeshRole role = MeshRole.NONE;
  }

  /** Two hours, 20 requests a minute; {@code slowdown} shapes the second hour. */
  private void generate(Consumer<R> slowdown) {
    SplittableRandom rnd = new SplittableRandom(3);
    for (Instant t = BASELINE; t.isBefore(TO); t = t.plusSeconds(60)) {
      for (int i = 0; i < 20; i++) {
        R r = new R();
        r.edge = (long) (r.edge * (0.5 + rnd.nextDouble()));
        r.mesh = (long) (r.mesh * (0.5 + rnd.nextDouble()));
        r.queue = (long) (r.queue * (0.5 + rnd.nextDouble()));
        r.prefill = (long) (r.prefill * (0.5 + rnd.nextDouble()));
        r.path = i % 4 == 0 ? "vpn" : "direct";
        r.role = i % 2 == 0 ? MeshRole.RETRIEVAL : MeshRole.POLICY;
        if (rnd.nextDouble() < 0.03) {
          r.prefill += 700_000; // the natural tail
        }
        if (!t.isBefore(FROM)) {
          slowdown.accept(r);
        }
        windows.record(summary(r, t.toEpochMilli() * 1_000 + i));
      }
    }
    store.commit("g", 1, List.of(), windows.drain());
  }

  private static RequestSummary summary(R r, long eventMicros) {
    long model = r.queue + r.prefill;
    long ttft = (r.client ? r.edge : 0) + r.mesh + model;
    return new RequestSummary(
        new TraceId(1, eventMicros),
        "acme",
        PREMIUM.name(),
        false,
        "chat",
        eventMicros,
        -1,
        ttft,
        r.client ? Vantage.CLIENT : Vantage.GATEWAY,
        r.client ? r.edge : -1,
        r.mesh,
        model,
        r.queue,
        true,
        StreamOutcome.COMPLETED,
        0,
        -1,
        false,
        0,
        0,
        0,
        0,
        0,
        r.client ? r.path : "",
        "",
        r.fallback,
        r.retransmits,
        r.role,
        false);
  }

  private Attribution attribute() {
    return calculator.attribute("acme", PREMIUM, FROM, TO, BASELINE, FROM);
  }

  @Test
  void slowVpnPathIsTheEdge() {
    generate(
        r -> {
          if (r.path.equals("vpn")) {
            r.edge += 1_000_000;
            r.retransmits = 3;
            r.fallback = true;
          }
        });

    Attribution a = attribute();

    assertThat(a.verdict()).isEqualTo(Tier.EDGE);
    assertThat(a.shares().get(Tier.EDGE)).isGreaterThan(0.8);
    assertThat(a.evidence().get(0)).startsWith("ttft: p95 ");
    assertThat(a.evidence().get(1)).startsWith("edge: p95 ");
    assertThat(a.evidence())
        .anyMatch(e -> e.matches("edge: vpn client path is \\d+% of slow requests vs \\d+% .*"))
        .anyMatch(e -> e.matches("edge: protocol fallback in (8|9)\\d% of slow requests vs .*"))
        .anyMatch(e -> e.matches("edge: 2\\.\\d retransmits per slow request vs 0\\.0 .*"));
  }

  @Test
  void slowRetrievalIsTheMesh() {
    generate(
        r -> {
          if (r.role == MeshRole.RETRIEVAL) {
            r.mesh += 900_000;
          }
        });

    Attribution a = attribute();

    assertThat(a.verdict()).isEqualTo(Tier.MESH);
    assertThat(a.shares().get(Tier.MESH)).isGreaterThan(0.8);
    assertThat(a.evidence()).noneMatch(e -> e.startsWith("edge:") || e.startsWith("model:"));
    assertThat(a.evidence())
        .anyMatch(
            e -> e.matches("mesh: retrieval dominates mesh time in 9\\d% of slow requests vs .*"));
  }

  @Test
  void saturatedQueueIsTheModel() {
    generate(r -> r.queue += 900_000);

    Attribution a = attribute();

    assertThat(a.verdict()).isEqualTo(Tier.MODEL);
    assertThat(a.shares().get(Tier.MODEL)).isGreaterThan(0.8);
    assertThat(a.evidence()).anyMatch(e -> e.startsWith("model: queue time is "));
  }

  @Test
  void slowerPrefillIsTheModelWithoutQueueEvidence() {
    generate(r -> r.prefill += 900_000);

    Attribution a = attribute();

    assertThat(a.verdict()).isEqualTo(Tier.MODEL);
    assertThat(a.evidence()).noneMatch(e -> e.startsWith("model: queue time"));
    assertThat(a.evidence()).anyMatch(e -> e.startsWith("model: prefill"));
  }

  @Test
  void unchangedTrafficIsNone() {
    generate(r -> {});

    Attribution a = attribute();

    assertThat(a.verdict()).isNull();
    assertThat(a.evidence()).hasSize(1);
    assertThat(a.evidence().get(0)).contains("within the 10% margin: no regression");
    assertThat(a.shares().values().stream().mapToDouble(Double::doubleValue).sum())
        .isBetween(0.0, 1.0 + 1e-9);
  }

  @Test
  void withoutClientSpansGrowthFallsBackToTierPercentiles() {
    generate(
        r -> {
          r.client = false;
          r.mesh += 900_000;
        });
    // the baseline had client spans; the range has none: no decomposed tail requests
    Attribution a = attribute();

    assertThat(a.verdict()).isEqualTo(Tier.MESH);
    assertThat(a.tiers().get(Tier.EDGE).currentMicros()).isZero();
  }

  @Test
  void withoutBaselineDataThereIsNoVerdict() {
    generate(r -> r.queue += 900_000);

    Attribution a =
        calculator.attribute(
            "acme",
            PREMIUM,
            FROM,
            TO,
            BASELINE.minus(Duration.ofDays(1)),
            BASELINE.minus(Duration.ofHours(23)));

    assertThat(a.verdict()).isNull();
    assertThat(a.evidence().get(0)).contains("no requests in the baseline");
  }
}
