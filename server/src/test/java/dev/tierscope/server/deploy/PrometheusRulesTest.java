package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.budget.BudgetCalculator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The rule file agrees with Tierscope without running anything: its windows are the API's burn
 * windows, its alert pairs are exactly {@link AlertRule#WORKBOOK} (the pairs Tierscope pushes by
 * default), its alerts carry the labels Tierscope's pushed alerts carry, and it reads only series
 * that {@code GET /api/v1/metrics} writes.
 */
class PrometheusRulesTest {

  private static final Path RULES = RepoFiles.root().resolve("prometheus/tierscope-slo-rules.yml");
  private static final Pattern PAIR =
      Pattern.compile(
          "tierscope_slo:burn_rate:rate(\\w+) > ([\\d.]+)\\s+and\\s+tierscope_slo:burn_rate:rate(\\w+) > ([\\d.]+)");

  private static List<Map<String, Object>> rules(String group) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object g : RepoFiles.list(RepoFiles.yaml(RULES).get("groups"), "groups")) {
      Map<String, Object> m = RepoFiles.map(g, "group");
      if (group.equals(m.get("name"))) {
        for (Object r : RepoFiles.list(m.get("rules"), "rules")) {
          out.add(RepoFiles.map(r, "rule"));
        }
      }
    }
    return out;
  }

  @Test
  void recordedWindowsAreTheApisBurnWindows() {
    Set<String> windows = new LinkedHashSet<>();
    for (Map<String, Object> r : rules("tierscope-slo-sli")) {
      String record = (String) r.get("record");
      if (record.startsWith("tierscope_slo:burn_rate:rate")) {
        windows.add(record.substring("tierscope_slo:burn_rate:rate".length()));
        assertThat((String) r.get("expr")).contains("group_left");
      }
    }
    assertThat(windows)
        .containsExactlyElementsOf(
            BudgetCalculator.BURN_WINDOWS.stream().map(AlertRule::windowName).toList());
  }

  @Test
  void alertPairsAreTheWorkbookPairsWithTierscopesLabels() {
    List<AlertRule> pairs = new ArrayList<>();
    for (Map<String, Object> r : rules("tierscope-slo-alerts")) {
      assertThat(r.get("alert")).isEqualTo("TierscopeErrorBudgetBurn");
      Map<String, Object> labels = RepoFiles.map(r.get("labels"), "labels");
      assertThat(labels).containsEntry("source", "prometheus").containsKey("severity");
      Map<String, Object> annotations = RepoFiles.map(r.get("annotations"), "annotations");
      assertThat(annotations)
          .containsKeys("summary", "description", "windows", "runbook_url", "dashboard");
      Matcher m = PAIR.matcher((String) r.get("expr"));
      while (m.find()) {
        assertThat(m.group(2)).as("both windows share a threshold").isEqualTo(m.group(4));
        pairs.add(
            new AlertRule(
                (String) labels.get("severity"),
                duration(m.group(1)),
                duration(m.group(3)),
                Double.parseDouble(m.group(2))));
      }
    }
    assertThat(pairs).containsExactlyInAnyOrderElementsOf(AlertRule.WORKBOOK);
  }

  @Test
  void theRulesReadOnlySeriesTheScrapeEndpointWrites() {
    String text = RepoFiles.read(RULES);
    Matcher m =
        Pattern.compile("\\b(tierscope_[a-z_]+)\\b(?!:)")
            .matcher(text.replaceAll("(?m)^\\s*#.*$", ""));
    Set<String> read = new LinkedHashSet<>();
    while (m.find()) {
      read.add(m.group(1));
    }
    assertThat(read)
        .containsExactlyInAnyOrder(
            "tierscope_slo_objective_ratio",
            "tierscope_slo_events_total",
            "tierscope_slo_good_events_total");
  }

  private static Duration duration(String name) {
    long n = Long.parseLong(name.substring(0, name.length() - 1));
    return switch (name.charAt(name.length() - 1)) {
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> throw new IllegalArgumentException(name);
    };
  }
}
