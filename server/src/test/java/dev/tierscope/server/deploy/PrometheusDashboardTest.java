package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus dashboard ({@code dashboards/prometheus/slo-prometheus.json}) without Grafana:
 * strict JSON with its own uid, panels on the 24-column grid without overlaps, every query on the
 * provisioned Prometheus data source, every variable it uses defined, every panel described with a
 * unit, and every series it reads written by Tierscope's scrape endpoint or recorded by the rule
 * file. {@code PrometheusScrapeIT} runs its queries against a real Prometheus.
 */
class PrometheusDashboardTest {

  private static final Path FILE = RepoFiles.dashboards().resolve("prometheus/slo-prometheus.json");
  private static final Set<String> EXPORTED =
      Set.of(
          "tierscope_slo_events_total",
          "tierscope_slo_good_events_total",
          "tierscope_requests_total",
          "tierscope_ttft_seconds_bucket",
          "tierscope_slo_objective_ratio",
          "tierscope_slo_threshold_seconds",
          "tierscope_slo_burn_rate",
          "tierscope_slo_error_budget_remaining_ratio");

  private final JsonNode dashboard = RepoFiles.json(FILE);

  @Test
  void itIsAValidDashboardOfItsOwn() {
    assertThat(dashboard.path("uid").asText()).isEqualTo("tierscope-slo-prometheus");
    assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
    for (Grafana.Dashboard other : Grafana.dashboards()) {
      assertThat(other.uid()).isNotEqualTo(dashboard.path("uid").asText());
      assertThat(other.json().path("title").asText())
          .isNotEqualTo(dashboard.path("title").asText());
    }
    boolean[][] grid = new boolean[200][24];
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : dashboard.path("panels")) {
      assertThat(ids.add(p.path("id").asInt())).as("unique panel id").isTrue();
      JsonNode g = p.path("gridPos");
      assertThat(g.path("x").asInt() + g.path("w").asInt()).isLessThanOrEqualTo(24);
      for (int y = g.path("y").asInt(); y < g.path("y").asInt() + g.path("h").asInt(); y++) {
        for (int x = g.path("x").asInt(); x < g.path("x").asInt() + g.path("w").asInt(); x++) {
          assertThat(grid[y][x])
              .as("panel " + p.path("id") + " overlaps at " + x + "," + y)
              .isFalse();
          grid[y][x] = true;
        }
      }
    }
  }

  @Test
  void everyQueryIsOnTheProvisionedPrometheusAndReadsSeriesTierscopeWrites() {
    Grafana.Datasource ds = Grafana.datasources().get("prometheus");
    assertThat(ds).isNotNull();
    assertThat(ds.type()).isEqualTo("prometheus");
    Set<String> defined = new HashSet<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      defined.add(v.path("name").asText());
      assertThat(v.path("datasource").path("uid").asText()).isEqualTo(ds.uid());
    }
    assertThat(defined).contains("tenant", "class");
    Set<String> recorded = recordedByTheRuleFile();
    SoftAssertions soft = new SoftAssertions();
    int queries = 0;
    for (JsonNode p : dashboard.path("panels")) {
      String where = "panel '" + p.path("title").asText() + "'";
      soft.assertThat(p.path("description").asText()).as(where + " description").isNotBlank();
      soft.assertThat(p.path("fieldConfig").path("defaults").path("unit").asText())
          .as(where + " unit")
          .isNotBlank();
      soft.assertThat(p.path("datasource").path("uid").asText()).as(where).isEqualTo(ds.uid());
      for (JsonNode t : p.path("targets")) {
        queries++;
        String expr = t.path("expr").asText();
        soft.assertThat(t.path("datasource").path("uid").asText()).as(where).isEqualTo(ds.uid());
        for (String v : Grafana.references(expr)) {
          soft.assertThat(defined.contains(v) || Grafana.BUILT_IN.contains(v))
              .as(where + " uses $" + v)
              .isTrue();
        }
        Matcher m = Pattern.compile("\\b(tierscope_[a-z_:0-9]+|ALERTS)\\b").matcher(expr);
        while (m.find()) {
          String series = m.group(1);
          soft.assertThat(
                  EXPORTED.contains(series) || recorded.contains(series) || series.equals("ALERTS"))
              .as(where + " reads " + series)
              .isTrue();
        }
        if (expr.contains("tierscope_slo_events_total")
            || expr.contains("tierscope_slo_good_events_total")) {
          soft.assertThat(expr).as(where + ": replicas are aggregated with max").contains("max");
          soft.assertThat(expr).as(where).doesNotContain("sum(");
        }
      }
    }
    soft.assertAll();
    assertThat(queries).isEqualTo(15);
  }

  private static Set<String> recordedByTheRuleFile() {
    Set<String> out = new LinkedHashSet<>();
    Matcher m =
        Pattern.compile("(?m)^\\s*- record: (\\S+)$")
            .matcher(
                RepoFiles.read(RepoFiles.root().resolve("prometheus/tierscope-slo-rules.yml")));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
