package dev.tierscope.api;

import static dev.tierscope.api.Scenarios.ATTRIBUTION_FROM;
import static dev.tierscope.api.Truth.assertPercentileMs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/attribution} on traffic with a known slowdown injected into one tier in the second
 * hour (core/README.md, "Attribution"): the verdict and the largest share go to that tier, the
 * evidence names the sub-signal that moved, and healthy traffic gets {@code none}.
 */
class AttributionApiIT {

  private static final Instant FROM = ATTRIBUTION_FROM;
  private static final Instant TO = ATTRIBUTION_FROM.plus(Duration.ofHours(1));

  private static ApiFixture f;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
  }

  @Test
  void slowVpnClientPathIsBlamedOnTheEdge() {
    DocumentContext j = attribution("attr-edge");
    assertVerdict(j, "edge");
    assertThat(evidence(j)).anyMatch(e -> e.startsWith("edge: vpn client path is"));
    assertThat(evidence(j)).anyMatch(e -> e.startsWith("edge: protocol fallback in"));
    assertThat(evidence(j)).anyMatch(e -> e.contains("retransmits per slow request"));
  }

  @Test
  void slowRetrievalIsBlamedOnTheMesh() {
    DocumentContext j = attribution("attr-mesh");
    assertVerdict(j, "mesh");
    assertThat(evidence(j)).anyMatch(e -> e.startsWith("mesh: retrieval dominates mesh time in"));
  }

  @Test
  void saturatedQueueIsBlamedOnTheModel() {
    DocumentContext j = attribution("attr-model");
    assertVerdict(j, "model");
    assertThat(evidence(j)).anyMatch(e -> e.startsWith("model: queue time is"));
  }

  @Test
  void healthyTrafficGetsNone() {
    DocumentContext j = attribution("attr-healthy");
    assertThat(j.read("$.verdict", String.class)).isEqualTo("none");
    assertThat(j.read("$.confidence", Double.class)).isGreaterThan(0.9);
    assertThat(j.read("$.tiersFound", List.class)).isEmpty();
    assertThat(evidence(j).get(0)).contains("no regression");
  }

  @Test
  void aFewMinutesAreInsufficientData() {
    // 16 requests a minute: five minutes hold 80, fewer than the 100 the default asks for
    DocumentContext j =
        f.json(
            "/api/v1/attribution?class=interactive_premium&tenant=attr-model&from="
                + FROM
                + "&to="
                + FROM.plus(Duration.ofMinutes(5)));
    assertThat(j.read("$.verdict", String.class)).isEqualTo("insufficient_data");
    assertThat(j.read("$.confidence", Double.class)).isZero();
    assertThat(j.read("$.requests", Long.class)).isEqualTo(80);
    assertThat(j.read("$.minRequests", Long.class)).isEqualTo(100);
    assertThat(evidence(j).get(0))
        .isEqualTo(
            "ttft: 80 requests with a first token in the range and 960 in the baseline;"
                + " at least 100 each are needed");
  }

  @Test
  void explicitBaselineEqualsTheDefaultOne() {
    DocumentContext j =
        f.json(
            "/api/v1/attribution?class=interactive_premium&tenant=attr-mesh&from="
                + FROM
                + "&to="
                + TO
                + "&baselineFrom="
                + FROM.minus(Duration.ofHours(1)).toEpochMilli()
                + "&baselineTo="
                + FROM.toEpochMilli());
    DocumentContext d = attribution("attr-mesh");
    assertThat(j.read("$.shares", Object.class)).isEqualTo(d.read("$.shares", Object.class));
    assertThat(j.read("$.evidence", Object.class)).isEqualTo(d.read("$.evidence", Object.class));
  }

  private static DocumentContext attribution(String tenant) {
    DocumentContext j =
        f.json(
            "/api/v1/attribution?class=interactive_premium&tenant="
                + tenant
                + "&from="
                + FROM
                + "&to="
                + TO);
    List<Req> all = f.attribution.get(tenant);
    List<Req> cur = Truth.in(all, FROM, TO);
    List<Req> base = Truth.in(all, FROM.minus(Duration.ofHours(1)), FROM);
    assertThat(Instant.parse(j.read("$.baselineFrom", String.class)))
        .isEqualTo(FROM.minus(Duration.ofHours(1)));
    assertThat(Instant.parse(j.read("$.baselineTo", String.class))).isEqualTo(FROM);
    assertThat(j.read("$.requests", Long.class)).isEqualTo(cur.size());
    assertThat(j.read("$.tailRequests", Long.class))
        .isEqualTo(Truth.count(cur, r -> r.ttft() > Scenarios.PREMIUM_TTFT_MICROS));
    assertP95(j, "$.ttft", base, cur, Req::ttft, r -> true);
    assertP95(j, "$.tiers.edge", base, cur, r -> r.edge, r -> r.client);
    assertP95(j, "$.tiers.mesh", base, cur, r -> r.mesh, r -> true);
    assertP95(j, "$.tiers.model", base, cur, r -> r.model, r -> true);
    assertThat(j.read("$.baselineRequests", Long.class)).isEqualTo(base.size());
    double shares =
        j.read("$.shares.edge", Double.class)
            + j.read("$.shares.mesh", Double.class)
            + j.read("$.shares.model", Double.class);
    boolean tier = List.of("edge", "mesh", "model").contains(j.read("$.verdict", String.class));
    assertThat(shares).isCloseTo(tier ? 1.0 : 0.0, within(1e-9));
    return j;
  }

  private static void assertP95(
      DocumentContext j,
      String path,
      List<Req> base,
      List<Req> cur,
      ToLongFunction<Req> value,
      java.util.function.Predicate<Req> has) {
    assertPercentileMs(
        path + " baseline",
        j.read(path + ".p95MsBaseline", Double.class),
        Truth.values(base, has, value),
        95);
    assertPercentileMs(
        path + " current",
        j.read(path + ".p95MsCurrent", Double.class),
        Truth.values(cur, has, value),
        95);
  }

  private static void assertVerdict(DocumentContext j, String tier) {
    assertThat(j.read("$.verdict", String.class)).as(j.jsonString()).isEqualTo(tier);
    double mine = j.read("$.shares." + tier, Double.class);
    for (String other : new String[] {"edge", "mesh", "model"}) {
      if (!other.equals(tier)) {
        assertThat(mine)
            .as(j.jsonString())
            .isGreaterThan(j.read("$.shares." + other, Double.class));
      }
    }
    assertThat(mine).as("the injected tier carries most of the growth").isGreaterThan(0.6);
    assertThat(j.read("$.confidence", Double.class)).as(j.jsonString()).isGreaterThan(0.9);
    assertThat(j.read("$.tiersFound[0].tier", String.class)).isEqualTo(tier);
    assertThat(j.read("$.tiersFound[0].share", Double.class)).isEqualTo(mine);
    assertThat(j.read("$.tiersFound[0].shareLow", Double.class)).isLessThanOrEqualTo(mine);
    assertThat(j.read("$.tiersFound[0].shareHigh", Double.class)).isGreaterThanOrEqualTo(mine);
    assertThat(j.read("$.tiersFound[0].confidence", Double.class)).isGreaterThan(0.9);
    assertThat(j.read("$.tiersFound[0].z", Double.class)).isGreaterThan(3);
    assertThat(j.read("$.ttft.p95MsCurrent", Double.class))
        .isGreaterThan(j.read("$.ttft.p95MsBaseline", Double.class) * 1.1);
    assertThat(evidence(j).get(0)).startsWith("ttft: p95 ");
    assertThat(evidence(j).get(1)).startsWith(tier + ": p95 ");
  }

  private static List<String> evidence(DocumentContext j) {
    return j.read("$.evidence");
  }
}
