package dev.tierscope.api;

import static dev.tierscope.api.Scenarios.NOW;
import static dev.tierscope.api.Scenarios.PREMIUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/metrics} on the api fixture's store (written by two writers, rolled up, raw
 * windows older than 2 days deleted by retention): the counters equal {@code /api/v1/slo}'s good
 * and total events for all time, for every tenant, class and SLI; the TTFT bucket at the premium
 * class's configured threshold (737 ms) equals its good events; burn-rate gauges equal {@code
 * /api/v1/budget}; both exposition formats; the tenant filter.
 */
class PrometheusMetricsIT {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final String[] SLIS = {
    "ttft", "streamInterruption", "toolchainLatency", "retrievalFallback"
  };

  private static ApiFixture f;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
  }

  /** One sample: name and labels in a sorted map (key {@code __name__}), and the value. */
  record Sample(Map<String, String> labels, double value) {}

  static List<Sample> parse(String body) {
    return body.lines()
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .map(
            l -> {
              Matcher m = SAMPLE.matcher(l);
              assertThat(m.matches()).as("sample line '%s'", l).isTrue();
              Map<String, String> labels = new TreeMap<>();
              labels.put("__name__", m.group(1));
              if (m.group(3) != null) {
                Matcher lm = LABEL.matcher(m.group(3));
                while (lm.find()) {
                  labels.put(lm.group(1), lm.group(2));
                }
              }
              return new Sample(labels, Double.parseDouble(m.group(4).replace("Inf", "Infinity")));
            })
        .toList();
  }

  static double value(List<Sample> samples, String name, String... labels) {
    Map<String, String> want = new LinkedHashMap<>();
    want.put("__name__", name);
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    List<Sample> found =
        samples.stream()
            .filter(
                s ->
                    want.entrySet().stream()
                        .allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
            .toList();
    assertThat(found).as("one sample of %s", want).hasSize(1);
    return found.get(0).value();
  }

  private static HttpResponse<String> scrape(String query, String accept) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(f.baseUrl + "/api/v1/metrics" + query));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void countersEqualTheAllTimeGoodAndTotalEventsOfTheSloApi() throws Exception {
    HttpResponse<String> r = scrape("", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""))
        .startsWith("text/plain;version=0.0.4");
    List<Sample> samples = parse(r.body());
    int compared = 0;
    for (String tenant : List.of("day", "burn", "attr-edge", "attr-model")) {
      for (String cls : List.of(PREMIUM, Scenarios.STANDARD, Scenarios.BATCH)) {
        DocumentContext slo =
            f.json(
                "/api/v1/slo?class="
                    + cls
                    + "&tenant="
                    + tenant
                    + "&from=0&to="
                    + NOW.plusSeconds(3600).toEpochMilli());
        long requests = slo.read("$.requests", Long.class);
        if (requests == 0) {
          continue;
        }
        for (String sli : SLIS) {
          long good = slo.read("$.slis." + sli + ".good", Long.class);
          long total = slo.read("$.slis." + sli + ".total", Long.class);
          assertThat(
                  value(
                      samples,
                      "tierscope_slo_events_total",
                      "tenant",
                      tenant,
                      "class",
                      cls,
                      "sli",
                      sli))
              .as("%s %s %s total", tenant, cls, sli)
              .isEqualTo(total);
          assertThat(
                  value(
                      samples,
                      "tierscope_slo_good_events_total",
                      "tenant",
                      tenant,
                      "class",
                      cls,
                      "sli",
                      sli))
              .as("%s %s %s good", tenant, cls, sli)
              .isEqualTo(good);
          compared++;
        }
        assertThat(value(samples, "tierscope_requests_total", "tenant", tenant, "class", cls))
            .isEqualTo(requests);
      }
    }
    assertThat(compared).as("SLIs compared").isGreaterThanOrEqualTo(4 * 6);
    // the comparison can fail: the burn tenant's premium class has bad TTFT events
    assertThat(
            value(
                samples,
                "tierscope_slo_good_events_total",
                "tenant",
                "burn",
                "class",
                PREMIUM,
                "sli",
                "ttft"))
        .isLessThan(
            value(
                samples,
                "tierscope_slo_events_total",
                "tenant",
                "burn",
                "class",
                PREMIUM,
                "sli",
                "ttft"));
  }

  @Test
  void theTtftBucketAtTheClassThresholdHoldsExactlyTheGoodEvents() throws Exception {
    List<Sample> samples = parse(scrape("", null).body());
    for (String tenant : List.of("day", "burn")) {
      double good =
          value(
              samples,
              "tierscope_slo_good_events_total",
              "tenant",
              tenant,
              "class",
              PREMIUM,
              "sli",
              "ttft");
      double total =
          value(
              samples,
              "tierscope_slo_events_total",
              "tenant",
              tenant,
              "class",
              PREMIUM,
              "sli",
              "ttft");
      assertThat(
              value(
                  samples,
                  "tierscope_ttft_seconds_bucket",
                  "tenant",
                  tenant,
                  "class",
                  PREMIUM,
                  "le",
                  "0.737"))
          .isEqualTo(good);
      assertThat(
              value(
                  samples,
                  "tierscope_ttft_seconds_bucket",
                  "tenant",
                  tenant,
                  "class",
                  PREMIUM,
                  "le",
                  "+Inf"))
          .isEqualTo(total);
      // documented edges are there too, cumulative
      double at500 =
          value(
              samples,
              "tierscope_ttft_seconds_bucket",
              "tenant",
              tenant,
              "class",
              PREMIUM,
              "le",
              "0.5");
      double at1s =
          value(
              samples,
              "tierscope_ttft_seconds_bucket",
              "tenant",
              tenant,
              "class",
              PREMIUM,
              "le",
              "1.0");
      assertThat(at500).isLessThanOrEqualTo(good);
      assertThat(at1s).isGreaterThanOrEqualTo(good).isLessThanOrEqualTo(total);
    }
    // the standard class's threshold is its own (1.5 s): no 0.737 edge there
    assertThat(samples)
        .noneMatch(
            s ->
                Scenarios.STANDARD.equals(s.labels().get("class"))
                    && "0.737".equals(s.labels().get("le")));
    assertThat(value(samples, "tierscope_slo_threshold_seconds", "class", PREMIUM, "sli", "ttft"))
        .isEqualTo(0.737);
    assertThat(
            value(
                samples,
                "tierscope_slo_objective_ratio",
                "class",
                PREMIUM,
                "sli",
                "streamInterruption"))
        .isCloseTo(0.995, within(1e-12));
  }

  @Test
  void burnRateGaugesEqualTheBudgetApi() throws Exception {
    List<Sample> samples = parse(scrape("?tenant=burn", null).body());
    for (String sli : SLIS) {
      DocumentContext budget =
          f.json("/api/v1/budget?class=" + PREMIUM + "&sli=" + sli + "&tenant=burn");
      for (String w : List.of("5m", "30m", "1h", "2h", "6h", "1d", "3d")) {
        Double expected = budget.read("$.burnRates." + w, Double.class);
        assertThat(
                value(
                    samples,
                    "tierscope_slo_burn_rate",
                    "tenant",
                    "burn",
                    "class",
                    PREMIUM,
                    "sli",
                    sli,
                    "window",
                    w))
            .as("%s %s", sli, w)
            .isCloseTo(expected, within(1e-9));
      }
      assertThat(
              value(
                  samples,
                  "tierscope_slo_error_budget_remaining_ratio",
                  "tenant",
                  "burn",
                  "class",
                  PREMIUM,
                  "sli",
                  sli,
                  "period",
                  "30d"))
          .isCloseTo(budget.read("$.budgetRemaining", Double.class), within(1e-9));
    }
    assertThat(
            value(
                samples,
                "tierscope_slo_burn_rate",
                "tenant",
                "burn",
                "class",
                PREMIUM,
                "sli",
                "ttft",
                "window",
                "1h"))
        .isGreaterThan(14.4);
  }

  @Test
  void theRunbookThatAlertsLinkToIsServed() throws Exception {
    HttpResponse<String> r = f.get("/runbooks/slo-burn-rate.md");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("# Runbook: TierscopeErrorBudgetBurn");
  }

  @Test
  void openMetricsWhenAskedAndTheTenantFilter() throws Exception {
    HttpResponse<String> om =
        scrape(
            "?tenant=day",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    assertThat(om.statusCode()).isEqualTo(200);
    assertThat(om.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""))
        .startsWith("application/openmetrics-text;version=1.0.0");
    assertThat(om.body()).endsWith("# EOF\n").contains("# UNIT tierscope_ttft_seconds seconds");
    List<Sample> samples = parse(om.body());
    assertThat(samples)
        .filteredOn(s -> s.labels().containsKey("tenant"))
        .isNotEmpty()
        .allMatch(s -> s.labels().get("tenant").equals("day"));
    assertThat(parse(scrape("?tenant=nobody", null).body()))
        .noneMatch(s -> s.labels().containsKey("tenant"));

    HttpResponse<String> bad = scrape("?tenant=a%20b", null);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(bad.body()).contains("\"parameter\":\"tenant\"");
  }
}
