package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.server.deploy.Grafana.Dashboard;
import dev.tierscope.server.deploy.Grafana.Datasource;
import dev.tierscope.server.deploy.Grafana.Query;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The dashboards as Grafana loads them, checked without Grafana: valid JSON with the fields its
 * schema needs, unique panel ids on a grid without overlaps, data sources that the provisioning
 * defines, every variable defined, units, descriptions and thresholds at the objectives, and only
 * API queries whose selectors {@link InfinityJson} evaluates (so that {@code DashboardQueriesIT}
 * checks exactly what the Infinity plugin will select). No percentile is ever reduced by Grafana.
 */
class DashboardStructureTest {

  private static final List<String> EXPECTED =
      List.of(
          "capacity.json",
          "edge-paths-and-backends.json",
          "slo-overview.json",
          "tier-attribution.json");

  private static final Set<String> PANEL_TYPES =
      Set.of("row", "stat", "timeseries", "table", "bargauge", "gauge", "barchart", "text");

  /** Statistics of the series endpoint that are percentiles or ratios: never reduced further. */
  private static final Pattern NOT_ADDITIVE =
      Pattern.compile("stat=(p50|p90|p95|p99|max|ratio|rate)\\b");

  private final List<Dashboard> dashboards = Grafana.dashboards();
  private final Map<String, Datasource> datasources = Grafana.datasources();

  @Test
  void theDashboardsAreValidJsonWithTheFieldsGrafanaNeeds() {
    assertThat(dashboards).extracting(Dashboard::name).containsExactlyElementsOf(EXPECTED);
    Set<String> uids = new HashSet<>();
    Set<String> titles = new HashSet<>();
    SoftAssertions soft = new SoftAssertions();
    for (Dashboard d : dashboards) {
      JsonNode j = d.json();
      soft.assertThat(j.path("schemaVersion").isInt()).as(d.name() + " schemaVersion").isTrue();
      soft.assertThat(j.path("schemaVersion").asInt())
          .as(d.name() + " schemaVersion")
          .isGreaterThanOrEqualTo(36);
      soft.assertThat(d.uid()).as(d.name() + " uid").matches("[A-Za-z0-9_-]{1,40}");
      soft.assertThat(uids.add(d.uid())).as(d.name() + " uid unique").isTrue();
      soft.assertThat(titles.add(j.path("title").asText())).as(d.name() + " title unique").isTrue();
      soft.assertThat(j.path("title").asText()).as(d.name() + " title").isNotBlank();
      soft.assertThat(j.path("panels").isArray()).as(d.name() + " panels").isTrue();
      soft.assertThat(j.path("templating").path("list").isArray())
          .as(d.name() + " templating")
          .isTrue();
      soft.assertThat(j.path("time").path("from").asText()).as(d.name() + " time").isNotBlank();
      soft.assertThat(j.has("id") && !j.path("id").isNull())
          .as(d.name() + " has no fixed database id (provisioning assigns it)")
          .isFalse();
    }
    soft.assertAll();
  }

  @Test
  void panelIdsAreUniqueAndPanelsFitTheGridWithoutOverlapping() {
    SoftAssertions soft = new SoftAssertions();
    for (Dashboard d : dashboards) {
      Set<Integer> ids = new HashSet<>();
      List<int[]> boxes = new ArrayList<>();
      for (JsonNode p : d.panels()) {
        String where = d.name() + " panel '" + p.path("title").asText() + "'";
        soft.assertThat(p.path("id").isInt()).as(where + " id").isTrue();
        soft.assertThat(ids.add(p.path("id").asInt())).as(where + " id unique").isTrue();
        soft.assertThat(PANEL_TYPES).as(where + " type").contains(p.path("type").asText());
        JsonNode g = p.path("gridPos");
        int x = g.path("x").asInt(-1);
        int y = g.path("y").asInt(-1);
        int w = g.path("w").asInt(-1);
        int h = g.path("h").asInt(-1);
        soft.assertThat(
                g.path("x").isInt()
                    && g.path("y").isInt()
                    && g.path("w").isInt()
                    && g.path("h").isInt())
            .as(where + " gridPos x, y, w, h")
            .isTrue();
        soft.assertThat(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24)
            .as(where + " gridPos inside the 24-column grid: " + g)
            .isTrue();
        for (int[] b : boxes) {
          boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
          soft.assertThat(overlap).as(where + " overlaps another panel: " + g).isFalse();
        }
        boxes.add(new int[] {x, y, w, h});
      }
    }
    soft.assertAll();
  }

  @Test
  void everyDataSourceIsTheProvisionedInfinityDataSourceOfTheApi() {
    assertThat(datasources).isNotEmpty();
    SoftAssertions soft = new SoftAssertions();
    for (Datasource ds : datasources.values()) {
      soft.assertThat(ds.uid()).as("provisioned data source uid").matches("[A-Za-z0-9_-]{1,40}");
      // the API through Infinity; Prometheus only for dashboards/prometheus/
      // (PrometheusDashboardTest)
      soft.assertThat(ds.type()).as(ds.uid() + " type").isIn(Grafana.INFINITY, "prometheus");
      soft.assertThat(ds.url()).as(ds.uid() + " url").matches("https?://[^/]+");
    }
    for (Dashboard d : dashboards) {
      for (JsonNode p : d.dataPanels()) {
        checkDatasource(
            soft, d.name() + " panel '" + p.path("title").asText() + "'", p.path("datasource"));
        for (JsonNode t : p.path("targets")) {
          checkDatasource(
              soft,
              d.name() + " panel '" + p.path("title").asText() + "' target",
              t.path("datasource"));
        }
      }
      for (JsonNode v : d.variables().values()) {
        if (v.path("type").asText().equals("query")) {
          checkDatasource(
              soft, d.name() + " variable " + v.path("name").asText(), v.path("datasource"));
          checkDatasource(
              soft,
              d.name() + " variable " + v.path("name").asText() + " query",
              v.path("query").path("infinityQuery").path("datasource"));
        }
      }
    }
    soft.assertAll();
  }

  private void checkDatasource(SoftAssertions soft, String where, JsonNode ref) {
    String uid = ref.path("uid").asText();
    soft.assertThat(datasources).as(where + " data source uid").containsKey(uid);
    if (datasources.containsKey(uid)) {
      soft.assertThat(datasources.get(uid).type())
          .as(where + ": these dashboards read the API")
          .isEqualTo(Grafana.INFINITY);
    }
    if (datasources.containsKey(uid)) {
      soft.assertThat(ref.path("type").asText())
          .as(where + " data source type")
          .isEqualTo(datasources.get(uid).type());
    }
  }

  @Test
  void everyVariableUsedIsDefinedAndClassTenantAndStepAreEverywhere() {
    SoftAssertions soft = new SoftAssertions();
    for (Dashboard d : dashboards) {
      Map<String, JsonNode> vars = d.variables();
      soft.assertThat(vars.keySet())
          .as(d.name() + " variables")
          .contains("class", "tenant", "step");
      List<String> texts = new ArrayList<>();
      Grafana.strings(d.json().path("panels"), texts);
      for (JsonNode v : vars.values()) {
        Grafana.strings(v.path("query"), texts);
      }
      for (String text : texts) {
        for (String name : Grafana.references(text)) {
          soft.assertThat(vars.containsKey(name) || Grafana.BUILT_IN.contains(name))
              .as(d.name() + ": variable '" + name + "' in \"" + text + "\" is defined")
              .isTrue();
        }
      }
      for (JsonNode p : d.dataPanels()) {
        String repeat = p.path("repeat").asText("");
        if (!repeat.isEmpty()) {
          soft.assertThat(vars).as(d.name() + " repeat variable").containsKey(repeat);
          soft.assertThat(vars.get(repeat).path("multi").asBoolean())
              .as(d.name() + " repeats over a multi-value variable")
              .isTrue();
        }
      }
      // A multi-value class (capacity) reaches the API only through panels repeated per class.
      if (vars.get("class").path("multi").asBoolean()) {
        for (Query q : Grafana.queries(d)) {
          if (Grafana.references(q.url()).contains("class")) {
            soft.assertThat(q.panel().path("repeat").asText())
                .as(q.where() + " uses the multi-value class only when repeated per class")
                .isEqualTo("class");
          }
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void theClassVariableListsTheApiClassesAndStepsMergeWholeWindows() {
    SoftAssertions soft = new SoftAssertions();
    Duration window = Duration.ofSeconds(10); // tierscope.spans.window
    for (Dashboard d : dashboards) {
      JsonNode cls = d.variables().get("class");
      soft.assertThat(cls.path("type").asText())
          .as(d.name() + " class variable type")
          .isEqualTo("query");
      JsonNode q = cls.path("query").path("infinityQuery");
      soft.assertThat(cls.path("query").path("queryType").asText())
          .as(d.name() + " class query type")
          .isEqualTo("infinity");
      soft.assertThat(q.path("url").asText())
          .as(d.name() + " class options")
          .isEqualTo("/api/v1/classes");
      soft.assertThat(q.path("columns").path(0).path("selector").asText())
          .as(d.name() + " class option column")
          .isEqualTo("name");
      JsonNode tenant = d.variables().get("tenant");
      soft.assertThat(tenant.path("type").asText())
          .as(d.name() + " tenant variable")
          .isEqualTo("textbox");
      soft.assertThat(tenant.path("query").asText())
          .as(d.name() + " default tenant")
          .isEqualTo("default");
      JsonNode step = d.variables().get("step");
      List<String> options = new ArrayList<>();
      step.path("options").forEach(o -> options.add(o.path("value").asText()));
      soft.assertThat(options).as(d.name() + " step options").isNotEmpty();
      soft.assertThat(String.join(",", options))
          .as(d.name() + " step query")
          .isEqualTo(step.path("query").asText());
      soft.assertThat(options)
          .as(d.name() + " step default")
          .contains(step.path("current").path("value").asText());
      for (String o : options) {
        Duration s = dev.tierscope.api.web.Durations.parse("step", o);
        soft.assertThat(s.toMillis() % window.toMillis())
            .as(d.name() + " step " + o + " is whole windows")
            .isZero();
      }
    }
    soft.assertAll();
  }

  @Test
  void everyPanelHasADescriptionAUnitAndThresholdsWithABase() {
    SoftAssertions soft = new SoftAssertions();
    for (Dashboard d : dashboards) {
      for (JsonNode p : d.dataPanels()) {
        String where = d.name() + " panel '" + p.path("title").asText() + "'";
        soft.assertThat(p.path("title").asText()).as(where + " title").isNotBlank();
        soft.assertThat(p.path("description").asText())
            .as(where + " description")
            .hasSizeGreaterThan(20);
        JsonNode defaults = p.path("fieldConfig").path("defaults");
        soft.assertThat(defaults.path("unit").asText()).as(where + " unit").isNotBlank();
        checkThresholds(soft, where, defaults.path("thresholds"));
        for (JsonNode o : p.path("fieldConfig").path("overrides")) {
          for (JsonNode prop : o.path("properties")) {
            if (prop.path("id").asText().equals("thresholds")) {
              checkThresholds(soft, where + " override " + o.path("matcher"), prop.path("value"));
            }
            if (prop.path("id").asText().equals("unit")) {
              soft.assertThat(prop.path("value").asText())
                  .as(where + " override unit")
                  .isNotBlank();
            }
          }
        }
        soft.assertThat(p.path("targets").size()).as(where + " queries").isPositive();
      }
    }
    soft.assertAll();
  }

  private static void checkThresholds(SoftAssertions soft, String where, JsonNode thresholds) {
    JsonNode steps = thresholds.path("steps");
    soft.assertThat(thresholds.path("mode").asText())
        .as(where + " thresholds mode")
        .isEqualTo("absolute");
    soft.assertThat(steps.size()).as(where + " threshold steps").isPositive();
    soft.assertThat(steps.path(0).path("value").isNull())
        .as(where + " first threshold step is the base (null)")
        .isTrue();
    double last = Double.NEGATIVE_INFINITY;
    for (int i = 1; i < steps.size(); i++) {
      double v = steps.path(i).path("value").asDouble();
      soft.assertThat(v).as(where + " threshold steps ascend").isGreaterThan(last);
      last = v;
    }
  }

  @Test
  void thresholdsSitAtTheObjectives() {
    Dashboard overview = dashboard("slo-overview.json");
    // The good-ratio thresholds are the TTFT and tool-chain targets of every default class.
    Set<Double> targets = new TreeSet<>();
    for (TrafficClass c : TrafficClasses.defaultClasses()) {
      targets.add(c.objectives().ttftTarget());
      targets.add(c.objectives().toolchainTarget());
    }
    assertThat(targets).as("one target for every default class and latency SLI").hasSize(1);
    double target = targets.iterator().next();
    List<JsonNode> goodRatio = new ArrayList<>();
    for (JsonNode p : overview.dataPanels()) {
      for (JsonNode o : p.path("fieldConfig").path("overrides")) {
        if (o.path("matcher").path("options").asText().endsWith(".goodRatio")) {
          goodRatio.add(property(o, "thresholds"));
        }
      }
    }
    assertThat(goodRatio).as("good-ratio fields of the TTFT and tool-chain stats").hasSize(2);
    for (JsonNode t : goodRatio) {
      assertThat(stepValues(t)).containsExactly(target);
      assertThat(t.path("steps").path(0).path("color").asText()).isEqualTo("red");
    }
    assertThat(
            stepValues(
                panel(overview, "Good ratio per step")
                    .path("fieldConfig")
                    .path("defaults")
                    .path("thresholds")))
        .containsExactly(target);

    // Budget remaining: the objective is met while any budget is left.
    assertThat(
            stepValues(
                panel(overview, "Error budget remaining")
                    .path("fieldConfig")
                    .path("defaults")
                    .path("thresholds")))
        .contains(0.0);
    // Burn rates: 1 is the sustainable rate, and every workbook alert threshold is a step.
    Set<Double> workbook = new TreeSet<>();
    AlertRule.WORKBOOK.forEach(r -> workbook.add(r.threshold()));
    for (String title : List.of("Burn rates", "Firing burn-rate alerts")) {
      assertThat(
              stepValues(
                  panel(overview, title).path("fieldConfig").path("defaults").path("thresholds")))
          .as(title)
          .containsAll(workbook);
    }
  }

  @Test
  void everyQueryIsAnInfinityJsonQueryOfTheApiThatTheTestsCanEvaluate() {
    SoftAssertions soft = new SoftAssertions();
    Map<String, String> sample = new HashMap<>();
    sample.put("class", "interactive_premium");
    sample.put("tenant", "default");
    sample.put("step", "1m");
    sample.put("__from", "1795770000000");
    sample.put("__to", "1795773600000");
    for (Dashboard d : dashboards) {
      List<Query> queries = new ArrayList<>(Grafana.queries(d));
      JsonNode cls = d.variables().get("class");
      queries.add(new Query(d, cls, cls.path("query").path("infinityQuery")));
      for (Query q : queries) {
        JsonNode t = q.target();
        String where = q.where();
        soft.assertThat(t.path("type").asText()).as(where + " type").isEqualTo("json");
        soft.assertThat(t.path("source").asText()).as(where + " source").isEqualTo("url");
        soft.assertThat(t.path("parser").asText()).as(where + " parser").isEqualTo("backend");
        soft.assertThat(t.path("format").asText())
            .as(where + " format")
            .isIn("table", "timeseries");
        soft.assertThat(t.path("url_options").path("method").asText())
            .as(where + " method")
            .isEqualTo("GET");
        soft.assertThat(q.url())
            .as(where + " url is an API path (the data source holds the host)")
            .startsWith("/api/v1/");
        soft.assertThat(t.path("refId").asText()).as(where + " refId").isNotBlank();
        String url = Grafana.interpolate(q.url(), sample);
        soft.assertThat(url)
            .as(where + " url after interpolation")
            .matches("/api/v1/[a-z/]+(\\?[A-Za-z0-9_=&.:-]*)?");
        if (!q.url().startsWith("/api/v1/classes")) {
          soft.assertThat(q.url()).as(where + " names the tenant").contains("tenant=${tenant}");
        }
        if (q.url().contains("from=")) {
          soft.assertThat(q.url())
              .as(where + " range is the dashboard's")
              .contains("from=${__from}", "to=${__to}");
        }
        if (q.url().contains("step=")) {
          soft.assertThat(q.url()).as(where + " step").contains("step=${step}");
        }
        soft.assertThat(
                InfinityJson.SUPPORTED
                    .matcher(Grafana.interpolate(q.rootSelector(), sample))
                    .matches())
            .as(
                where
                    + " root selector '"
                    + q.rootSelector()
                    + "' is in the evaluated GJSON subset")
            .isTrue();
        soft.assertThat(q.columns()).as(where + " columns").isNotEmpty();
        Set<String> selectors = new HashSet<>();
        for (JsonNode c : q.columns()) {
          String sel = c.path("selector").asText();
          soft.assertThat(InfinityJson.SUPPORTED.matcher(sel).matches() && !sel.isEmpty())
              .as(where + " column '" + sel + "' is in the evaluated GJSON subset")
              .isTrue();
          soft.assertThat(c.path("type").asText())
              .as(where + " column '" + sel + "' type")
              .isIn("string", "number", "timestamp");
          // Unaliased: the frame field is named by its selector, which overrides refer to.
          soft.assertThat(c.path("text").asText())
              .as(where + " column '" + sel + "' alias")
              .isEmpty();
          soft.assertThat(selectors.add(sel)).as(where + " column '" + sel + "' once").isTrue();
        }
        if (q.panel().path("type").asText().equals("timeseries")) {
          soft.assertThat(
                  q.columns().stream().anyMatch(c -> c.path("type").asText().equals("timestamp")))
              .as(where + " has a time column")
              .isTrue();
        }
      }
      for (JsonNode p : d.dataPanels()) {
        Set<String> refIds = new HashSet<>();
        for (JsonNode t : p.path("targets")) {
          soft.assertThat(refIds.add(t.path("refId").asText()))
              .as(d.name() + " '" + p.path("title").asText() + "' refIds unique")
              .isTrue();
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void overridesAndTransformationsReferToFieldsTheQueriesSelect() {
    SoftAssertions soft = new SoftAssertions();
    for (Dashboard d : dashboards) {
      for (JsonNode p : d.dataPanels()) {
        String where = d.name() + " panel '" + p.path("title").asText() + "'";
        Set<String> fields = new LinkedHashSet<>();
        Set<String> refIds = new HashSet<>();
        for (JsonNode t : p.path("targets")) {
          refIds.add(t.path("refId").asText());
          t.path("columns").forEach(c -> fields.add(c.path("selector").asText()));
        }
        for (JsonNode tr : p.path("transformations")) {
          String id = tr.path("id").asText();
          soft.assertThat(id)
              .as(where + " transformation")
              .isIn("merge", "groupBy", "sortBy", "reduce", "calculateField");
          if (id.equals("groupBy")) {
            tr.path("options")
                .path("fields")
                .fieldNames()
                .forEachRemaining(
                    f -> soft.assertThat(fields).as(where + " groupBy field").contains(f));
          }
          if (id.equals("sortBy")) {
            tr.path("options")
                .path("sort")
                .forEach(
                    s ->
                        soft.assertThat(fields)
                            .as(where + " sortBy field")
                            .contains(s.path("field").asText()));
          }
        }
        for (JsonNode o : p.path("fieldConfig").path("overrides")) {
          String matcher = o.path("matcher").path("id").asText();
          String option = o.path("matcher").path("options").asText();
          switch (matcher) {
            case "byName" ->
                soft.assertThat(fields).as(where + " override of field").contains(option);
            case "byFrameRefID" ->
                soft.assertThat(refIds).as(where + " override of query").contains(option);
            case "byRegexp" ->
                soft.assertThat(
                        fields.stream()
                            .anyMatch(
                                f ->
                                    Pattern.compile(option.replaceAll("^/|/$", ""))
                                        .matcher(f)
                                        .find()))
                    .as(where + " override regexp " + option + " matches a field")
                    .isTrue();
            default -> soft.fail(where + " override matcher " + matcher + " is not checked");
          }
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void percentilesAndRatiosAreNeverReducedByGrafana() {
    SoftAssertions soft = new SoftAssertions();
    for (Dashboard d : dashboards) {
      for (JsonNode p : d.dataPanels()) {
        String where = d.name() + " panel '" + p.path("title").asText() + "'";
        boolean notAdditive = false;
        for (JsonNode t : p.path("targets")) {
          String url = t.path("url").asText();
          if (NOT_ADDITIVE.matcher(url).find()) {
            notAdditive = true;
          }
          for (JsonNode c : t.path("columns")) {
            String sel = c.path("selector").asText();
            if (sel.endsWith("Ms")
                || sel.toLowerCase().endsWith("ratio")
                || sel.endsWith("rate")
                || sel.contains("burnRate")
                || sel.startsWith("shares")) {
              notAdditive = true;
            }
          }
        }
        if (!notAdditive) {
          continue;
        }
        List<String> calcs = new ArrayList<>();
        p.path("options").path("legend").path("calcs").forEach(c -> calcs.add(c.asText()));
        p.path("options").path("reduceOptions").path("calcs").forEach(c -> calcs.add(c.asText()));
        soft.assertThat(calcs)
            .as(where + " shows percentiles or ratios: no mean, sum or other reduction over them")
            .isSubsetOf("lastNotNull", "last", "max", "min");
        for (JsonNode tr : p.path("transformations")) {
          soft.assertThat(tr.path("id").asText())
              .as(where + " shows percentiles or ratios: no transformation computes from them")
              .isIn("merge", "sortBy");
        }
      }
    }
    soft.assertAll();
  }

  private Dashboard dashboard(String name) {
    return dashboards.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
  }

  private static JsonNode panel(Dashboard d, String titlePrefix) {
    return d.dataPanels().stream()
        .filter(p -> p.path("title").asText().startsWith(titlePrefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError(d.name() + " has no panel '" + titlePrefix + "'"));
  }

  private static JsonNode property(JsonNode override, String id) {
    for (JsonNode prop : override.path("properties")) {
      if (prop.path("id").asText().equals(id)) {
        return prop.path("value");
      }
    }
    throw new AssertionError("override " + override + " has no " + id);
  }

  private static List<Double> stepValues(JsonNode thresholds) {
    List<Double> out = new ArrayList<>();
    JsonNode steps = thresholds.path("steps");
    for (int i = 1; i < steps.size(); i++) {
      out.add(steps.path(i).path("value").asDouble());
    }
    return out;
  }
}
