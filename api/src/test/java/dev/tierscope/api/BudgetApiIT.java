package dev.tierscope.api;

import static dev.tierscope.api.Scenarios.BATCH;
import static dev.tierscope.api.Scenarios.NOW;
import static dev.tierscope.api.Scenarios.PREMIUM;
import static dev.tierscope.api.Scenarios.STANDARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import dev.tierscope.core.span.StreamOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/budget} and {@code /api/v1/alerts} for a generated budget burn (tenant {@code
 * burn}): burn rates of every window equal those of the generated requests, a fast burn pages, a
 * slow burn opens tickets, a healthy class alerts nothing. Data older than 2 days exists only in
 * rollups (the rollup job's retention removed the raw windows), as it would in production.
 */
class BudgetApiIT {

  private static final String[] WINDOWS = {"5m", "30m", "1h", "2h", "6h", "1d", "3d"};

  private static ApiFixture f;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
  }

  @Test
  void fastBurnPagesOnTheOneHourPairOnly() {
    DocumentContext j = assertBudgetMatchesTruth(PREMIUM, "ttft", NOW);
    assertThat(firing(j)).containsExactly("page 1h/5m");
    assertThat(j.read("$.burnRates.1h", Double.class)).isGreaterThan(14.4);
    assertThat(j.read("$.burnRates.6h", Double.class)).isLessThan(6.0);
  }

  @Test
  void slowBurnOpensBothTicketsAndNoPage() {
    DocumentContext j = assertBudgetMatchesTruth(STANDARD, "streamInterruption", NOW);
    assertThat(firing(j)).containsExactly("ticket 1d/2h", "ticket 3d/6h");
    assertThat(j.read("$.burnRates.3d", Double.class)).isCloseTo(4.0, within(0.05));
    assertThat(j.read("$.budgetRemaining", Double.class)).isLessThan(0.0);
  }

  @Test
  void healthyClassAndSlisAlertNothing() {
    for (String sli :
        new String[] {"ttft", "streamInterruption", "toolchainLatency", "retrievalFallback"}) {
      assertThat(firing(assertBudgetMatchesTruth(BATCH, sli, NOW))).as(sli).isEmpty();
    }
    for (String sli :
        new String[] {"streamInterruption", "toolchainLatency", "retrievalFallback"}) {
      assertThat(firing(assertBudgetMatchesTruth(PREMIUM, sli, NOW))).as(sli).isEmpty();
    }
    assertThat(firing(assertBudgetMatchesTruth(STANDARD, "ttft", NOW))).isEmpty();
  }

  @Test
  void alertsListsEveryFiringAlertAcrossClassesAndSlis() {
    DocumentContext j = f.json("/api/v1/alerts?tenant=burn");
    System.out.println("GET /api/v1/alerts?tenant=burn -> " + j.jsonString());
    assertThat(Instant.parse(j.read("$.at", String.class))).isEqualTo(NOW);
    List<String> alerts = new ArrayList<>();
    List<Map<String, Object>> list = j.read("$.alerts");
    for (Map<String, Object> a : list) {
      alerts.add(
          a.get("class")
              + " "
              + a.get("sli")
              + " "
              + a.get("severity")
              + " "
              + a.get("longWindow")
              + "/"
              + a.get("shortWindow"));
      assertThat(a.get("firing")).isEqualTo(true);
      assertThat((Double) a.get("burnRate")).isGreaterThan((Double) a.get("threshold"));
      assertThat((Double) a.get("shortBurnRate")).isGreaterThan((Double) a.get("threshold"));
    }
    assertThat(alerts)
        .containsExactly(
            "interactive_premium ttft page 1h/5m",
            "standard_interactive streamInterruption ticket 1d/2h",
            "standard_interactive streamInterruption ticket 3d/6h");
  }

  @Test
  void evaluatedBeforeTheFastBurnThePageDoesNotFire() {
    Instant before = NOW.minus(Duration.ofHours(2));
    DocumentContext j = assertBudgetMatchesTruth(PREMIUM, "ttft", before);
    assertThat(firing(j)).isEmpty();
    DocumentContext alerts = f.json("/api/v1/alerts?tenant=burn&at=" + before.toEpochMilli());
    assertThat(alerts.read("$.alerts[*].class", List.class))
        .containsExactly("standard_interactive", "standard_interactive");
  }

  @Test
  void tenantWithoutDataHasItsWholeBudget() {
    DocumentContext j = f.json("/api/v1/budget?class=interactive_premium&sli=ttft&tenant=nobody");
    assertThat(j.read("$.total", Long.class)).isZero();
    assertThat(j.read("$.goodRatio", Double.class)).isEqualTo(1.0);
    assertThat(j.read("$.budgetRemaining", Double.class)).isEqualTo(1.0);
    assertThat(j.read("$.burnRates.5m", Double.class)).isZero();
    assertThat(firing(j)).isEmpty();
  }

  private static List<String> firing(DocumentContext j) {
    List<String> out = new ArrayList<>();
    List<Map<String, Object>> alerts = j.read("$.alerts");
    for (Map<String, Object> a : alerts) {
      if (Boolean.TRUE.equals(a.get("firing"))) {
        out.add(a.get("severity") + " " + a.get("longWindow") + "/" + a.get("shortWindow"));
      }
    }
    return out;
  }

  /** Every number of /budget against the generated requests of the class in tenant burn. */
  private static DocumentContext assertBudgetMatchesTruth(String cls, String sli, Instant at) {
    DocumentContext j =
        f.json(
            "/api/v1/budget?tenant=burn&class="
                + cls
                + "&sli="
                + sli
                + (at.equals(NOW) ? "" : "&at=" + at));
    List<Req> mine = f.burn.stream().filter(r -> r.trafficClass.equals(cls)).toList();
    double target = target(cls, sli);
    assertThat(j.read("$.class", String.class)).isEqualTo(cls);
    assertThat(j.read("$.sli", String.class)).isEqualTo(sli);
    assertThat(j.read("$.period", String.class)).isEqualTo("30d");
    assertThat(Instant.parse(j.read("$.at", String.class))).isEqualTo(at);
    assertThat(j.read("$.target", Double.class)).isCloseTo(target, within(1e-12));

    long[] period = events(Truth.in(mine, at.minus(Duration.ofDays(30)), at), cls, sli);
    assertThat(j.read("$.total", Long.class)).as(cls + " " + sli + " total").isEqualTo(period[1]);
    assertThat(j.read("$.good", Long.class)).as(cls + " " + sli + " good").isEqualTo(period[0]);
    double good = period[1] == 0 ? 1 : (double) period[0] / period[1];
    assertThat(j.read("$.goodRatio", Double.class)).isCloseTo(good, within(1e-12));
    assertThat(j.read("$.budgetRemaining", Double.class))
        .isCloseTo(1 - burn(period, target), within(1e-9));
    for (String w : WINDOWS) {
      long[] e = events(Truth.in(mine, at.minus(parse(w)), at), cls, sli);
      assertThat(j.read("$.burnRates." + w, Double.class))
          .as(cls + " " + sli + " burn rate " + w)
          .isCloseTo(burn(e, target), within(1e-9));
    }
    assertThat(j.read("$.alerts.length()", Integer.class)).isEqualTo(4);
    return j;
  }

  private static Duration parse(String w) {
    return w.endsWith("d")
        ? Duration.ofDays(Long.parseLong(w.substring(0, w.length() - 1)))
        : Duration.parse("PT" + w.toUpperCase());
  }

  private static double burn(long[] goodTotal, double target) {
    long bad = goodTotal[1] - goodTotal[0];
    return bad == 0 ? 0 : ((double) bad / goodTotal[1]) / (1 - target);
  }

  private static double target(String cls, String sli) {
    return switch (sli) {
      case "ttft", "toolchainLatency" -> 0.95;
      case "streamInterruption" ->
          1 - (cls.equals(PREMIUM) ? 0.005 : cls.equals(STANDARD) ? 0.01 : 0.02);
      default -> 1 - (cls.equals(PREMIUM) ? 0.02 : cls.equals(STANDARD) ? 0.05 : 0.10);
    };
  }

  /** {good, total} of an SLI over requests, as the objectives define them. */
  private static long[] events(List<Req> rs, String cls, String sli) {
    return switch (sli) {
      case "ttft" ->
          new long[] {
            Truth.count(rs, r -> r.ttft() <= Scenarios.ttftThresholdMicros(cls)), rs.size()
          };
      case "streamInterruption" -> {
        long streams = Truth.count(rs, r -> r.streamed);
        yield new long[] {
          streams - Truth.count(rs, r -> r.streamed && r.outcome == StreamOutcome.INTERRUPTED),
          streams
        };
      }
      case "toolchainLatency" -> {
        long chains = Truth.count(rs, r -> r.toolCalls > 0);
        yield new long[] {
          Truth.count(
              rs,
              r ->
                  r.toolCalls > 0
                      && !r.toolFailed
                      && r.toolchain <= Scenarios.toolchainThresholdMicros(cls)),
          chains
        };
      }
      default -> {
        long retrievals = Truth.sum(rs, r -> r.retrievals);
        yield new long[] {retrievals - Truth.sum(rs, r -> r.fallbacks), retrievals};
      }
    };
  }
}
