package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tierscope.server.TestServers;
import dev.tierscope.server.TierscopeServer;
import dev.tierscope.server.deploy.Grafana.Dashboard;
import dev.tierscope.server.deploy.Grafana.Query;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query of every dashboard panel, with its variables substituted as Grafana would (class,
 * tenant, step, {@code ${__from}}/{@code ${__to}} in epoch milliseconds), run against a running
 * Tierscope (the all-in-one server on a real Kafka broker and a fresh PostgreSQL schema) filled
 * with {@link DemoTraffic} sent as OTLP. Each answer is framed as the Infinity plugin frames it
 * ({@link InfinityJson}): the root selector must select rows, and every column the panel selects
 * must exist with values of its type. Then a few values are checked against what was sent.
 */
class DashboardQueriesIT {

  private static final String TENANT = "acme";

  private static TierscopeServer server;
  private static Map<String, Integer> sent;
  private static DemoTraffic demo;
  private static Instant sentAt;

  /** The dashboard range of every query: the recent phase lies inside, its baseline before. */
  private static Instant from;

  private static Instant to;

  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void serverWithTraffic() throws Exception {
    server =
        TestServers.start("dashboards", Map.of("tierscope.aggregator.idle-advance-after", "2s"));
    sentAt = Instant.now();
    demo = new DemoTraffic();
    sent = demo.send(server.otlpHttpUrl(), TENANT, sentAt);
    awaitEveryRequest();
    from = sentAt.minus(Duration.ofMinutes(9));
    to = Instant.now();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyPanelQueryReturnsTheFieldsThePanelSelects() throws Exception {
    List<String> classes = classOptions();
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Dashboard d : Grafana.dashboards()) {
      String step = d.variables().get("step").path("current").path("value").asText();
      for (Query q : Grafana.queries(d)) {
        boolean perClass =
            Grafana.references(q.url()).contains("class")
                || Grafana.references(q.rootSelector()).contains("class");
        for (String cls : perClass ? classes : List.of(classes.get(0))) {
          run++;
          String problem = check(q, variables(cls, TENANT, step));
          if (problem != null) {
            failures.add(q.where() + " [class=" + cls + "]: " + problem);
          }
        }
      }
    }
    assertThat(failures)
        .as("panel queries that do not give their panel data (of %d run)", run)
        .isEmpty();
    assertThat(run).as("queries run").isGreaterThan(100);
  }

  /** Runs one query as Grafana and the Infinity plugin would; null when its panel gets data. */
  private static String check(Query q, Map<String, String> vars) throws Exception {
    String url = Grafana.interpolate(q.url(), vars);
    HttpResponse<String> r = get(url);
    if (r.statusCode() != 200) {
      return "GET " + url + " -> " + r.statusCode() + " " + r.body();
    }
    JsonNode answer = RepoFiles.JSON.readTree(r.body());
    List<JsonNode> rows;
    try {
      rows = InfinityJson.rows(answer, Grafana.interpolate(q.rootSelector(), vars));
    } catch (AssertionError e) {
      return e.getMessage() + " in " + r.body();
    }
    if (rows.isEmpty()) {
      return "no rows from " + url + " (root '" + q.rootSelector() + "'): " + r.body();
    }
    boolean timeseries = q.panel().path("type").asText().equals("timeseries");
    boolean anyNumber = false;
    for (JsonNode c : q.columns()) {
      String selector = c.path("selector").asText();
      String type = c.path("type").asText();
      int present = 0;
      for (JsonNode row : rows) {
        JsonNode v = InfinityJson.select(row, selector);
        if (v.isMissingNode() || v.isNull()) {
          if (type.equals("timestamp")) {
            return "column '" + selector + "' has a row without a time: " + row;
          }
          continue;
        }
        present++;
        String typeProblem = typeProblem(type, v);
        if (typeProblem != null) {
          return "column '" + selector + "' " + typeProblem + " in " + row;
        }
        anyNumber |= type.equals("number");
      }
      if (present == 0) {
        return "column '"
            + selector
            + "' has no value in "
            + rows.size()
            + " rows of "
            + url
            + ": "
            + r.body();
      }
    }
    if (timeseries && !anyNumber) {
      return "a time series without a single value: " + r.body();
    }
    return null;
  }

  private static String typeProblem(String type, JsonNode v) {
    switch (type) {
      case "number":
        return v.isNumber() ? null : "is not a number: " + v;
      case "string":
        return v.isValueNode() ? null : "is not a value: " + v;
      case "timestamp":
        // The plugin parses a "timestamp" column from a string (RFC 3339); a number would be
        // read as a year, so the API's times must be ISO-8601 strings.
        try {
          Instant.parse(v.textValue());
          return null;
        } catch (DateTimeParseException | NullPointerException e) {
          return "is not an ISO-8601 time: " + v;
        }
      default:
        return "has unknown type " + type;
    }
  }

  @Test
  void panelsShowWhatWasSent() throws Exception {
    Dashboard overview = dashboard("slo-overview.json");
    Query requests = query(overview, "Requests — $class", "A");
    for (String cls : DemoTraffic.PER_PHASE.keySet()) {
      JsonNode row = rows(requests, variables(cls, TENANT, "1m")).get(0);
      assertThat(row.path("requests").asLong())
          .as(cls + " requests in the range")
          .isEqualTo((long) DemoTraffic.PER_PHASE.get(cls));
    }
    // The tenant variable selects the tenant: the default tenant sent nothing.
    assertThat(
            rows(requests, variables(DemoTraffic.PREMIUM, "default", "1m"))
                .get(0)
                .path("requests")
                .asLong())
        .isZero();

    // The premium class burnt its TTFT budget fast: the 1 h / 5 m page fires.
    Query alerts = query(overview, "Firing burn-rate alerts", "A");
    List<String> firing = new ArrayList<>();
    for (JsonNode a : rows(alerts, variables(DemoTraffic.PREMIUM, TENANT, "1m"))) {
      firing.add(
          a.path("class").asText()
              + " "
              + a.path("sli").asText()
              + " "
              + a.path("severity").asText()
              + " "
              + a.path("longWindow").asText()
              + "/"
              + a.path("shortWindow").asText());
    }
    assertThat(firing).contains("interactive_premium ttft page 1h/5m");

    Dashboard attribution = dashboard("tier-attribution.json");
    JsonNode verdict =
        rows(query(attribution, "Verdict", "A"), variables(DemoTraffic.PREMIUM, TENANT, "1m"))
            .get(0);
    assertThat(verdict.path("verdict").asText())
        .as("the premium model queue was saturated")
        .isEqualTo("model");
    assertThat(verdict.path("confidence").asDouble()).isGreaterThan(0.9);
    JsonNode perTier =
        rows(
                query(attribution, "Confidence per tier", "A"),
                variables(DemoTraffic.PREMIUM, TENANT, "1m"))
            .get(0);
    assertThat(perTier.path("model.confidence").asDouble()).isGreaterThan(0.9);
    assertThat(perTier.path("edge.confidence").asDouble()).isLessThan(0.5);
    List<JsonNode> exemplars =
        rows(
            query(attribution, "Slowest requests", "A"),
            variables(DemoTraffic.PREMIUM, TENANT, "1m"));
    assertThat(exemplars).hasSize(20);
    assertThat(exemplars)
        .allSatisfy(
            e -> {
              assertThat(e.path("traceId").asText()).matches("[0-9a-f]{32}");
              assertThat(e.path("overThreshold").asBoolean()).isTrue();
              assertThat(e.path("dominantTier").asText()).as(e.toString()).isEqualTo("model");
              assertThat(e.path("component").asText()).as(e.toString()).isEqualTo("queue");
            });
  }

  @Test
  void streamContinuityPanelsShowWhatWasSent() throws Exception {
    Dashboard overview = dashboard("slo-overview.json");
    Query gapsAndStalls = query(overview, "Largest gap and stalls", "A");
    Query idleTimeout = query(overview, "Time into the stream at an idle timeout", "B");
    for (String cls : DemoTraffic.PER_PHASE.keySet()) {
      Map<String, String> vars = variables(cls, TENANT, "1m");
      DemoTraffic.RecentStreams truth = demo.recent.get(cls);
      assertThat(truth.interruptions).as(cls + " sent every cause").hasSize(4);

      // Over the range: the largest gap's p95 and max within HdrHistogram's 1%, stalls exact.
      JsonNode stat = rows(gapsAndStalls, vars).get(0);
      List<Double> gaps = truth.maxGapsMs.stream().sorted().toList();
      double p95 = gaps.get((int) Math.ceil(0.95 * gaps.size()) - 1);
      System.out.printf(
          "DashboardQueriesIT %s: %d streams sent, largest gap p95 %.0f ms (panel %s), max %.0f"
              + " ms, %d stalled with %d stalls, interrupted %s, %d cancelled%n",
          cls,
          gaps.size(),
          p95,
          stat.path("maxGap.p95Ms"),
          gaps.get(gaps.size() - 1),
          truth.stalledStreams,
          truth.stalls,
          truth.interruptions,
          truth.cancelled);
      assertThat(stat.path("maxGap.p95Ms").asDouble())
          .as(cls + " largest gap p95")
          .isCloseTo(p95, withinPercentage(1));
      assertThat(stat.path("maxGap.maxMs").asDouble())
          .as(cls + " largest gap max")
          .isCloseTo(gaps.get(gaps.size() - 1), withinPercentage(1));
      assertThat(stat.path("stalls.stalledStreams").asLong())
          .as(cls + " streams that stalled")
          .isEqualTo((long) truth.stalledStreams);
      assertThat(stat.path("stalls.stalls").asLong())
          .as(cls + " stalls")
          .isEqualTo((long) truth.stalls);

      // Per step: the interrupted streams per cause add up to what was sent, and cancels apart.
      Map<String, String> signalOfCause =
          Map.of(
              "idle timeout", "idle_timeout",
              "upstream reset", "upstream_reset",
              "network", "network",
              "server error", "server_error",
              "unknown cause", "unknown");
      for (Query q : Grafana.queries(overview)) {
        if (!q.panel().path("title").asText().startsWith("Interrupted streams per cause")) {
          continue;
        }
        String name = displayName(q);
        long total = 0;
        for (JsonNode point : rows(q, vars)) {
          total += point.path("value").asLong();
        }
        if (name.startsWith("user cancels")) {
          assertThat(total).as(cls + " cancels").isEqualTo((long) truth.cancelled);
        } else {
          assertThat(signalOfCause).as(q.where()).containsKey(name);
          assertThat(total)
              .as(cls + " interrupted by " + name)
              .isEqualTo((long) truth.interruptions.getOrDefault(signalOfCause.get(name), 0));
        }
      }

      // A fixed idle timeout is one duration: every step's maximum sits at it.
      List<JsonNode> maxima =
          rows(idleTimeout, vars).stream().filter(pt -> pt.path("value").isNumber()).toList();
      assertThat(maxima).as(cls + " steps with an idle timeout").isNotEmpty();
      assertThat(maxima)
          .allSatisfy(
              pt ->
                  assertThat(pt.path("value").asDouble())
                      .isCloseTo(
                          (double) DemoTraffic.IDLE_TIMEOUT.toMillis(), withinPercentage(1)));
    }
  }

  /** The display name a panel's overrides give a query's frame. */
  private static String displayName(Query q) {
    String ref = q.target().path("refId").asText();
    for (JsonNode o : q.panel().path("fieldConfig").path("overrides")) {
      if (o.path("matcher").path("id").asText().equals("byFrameRefID")
          && o.path("matcher").path("options").asText().equals(ref)) {
        for (JsonNode prop : o.path("properties")) {
          if (prop.path("id").asText().equals("displayName")) {
            return prop.path("value").asText();
          }
        }
      }
    }
    throw new AssertionError(q.where() + " has no display name");
  }

  @Test
  void theClassVariableOffersTheConfiguredClassesAndEveryStepOptionIsAccepted() throws Exception {
    assertThat(classOptions()).containsExactlyInAnyOrderElementsOf(DemoTraffic.PER_PHASE.keySet());
    for (Dashboard d : Grafana.dashboards()) {
      JsonNode cls = d.variables().get("class");
      String current = cls.path("current").path("value").asText();
      if (!cls.path("multi").asBoolean()) {
        assertThat(classOptions()).as(d.name() + " default class").contains(current);
      }
      Query series =
          Grafana.queries(d).stream()
              .filter(q -> q.url().startsWith("/api/v1/slo/series"))
              .findFirst()
              .orElseThrow();
      for (JsonNode option : d.variables().get("step").path("options")) {
        String step = option.path("value").asText();
        assertThat(check(series, variables(DemoTraffic.PREMIUM, TENANT, step)))
            .as(d.name() + " step " + step)
            .isNull();
      }
    }
  }

  // ---- helpers

  private static Map<String, String> variables(String cls, String tenant, String step) {
    Map<String, String> vars = new HashMap<>();
    vars.put("class", cls);
    vars.put("tenant", tenant);
    vars.put("step", step);
    vars.put("__from", Long.toString(from.toEpochMilli()));
    vars.put("__to", Long.toString(to.toEpochMilli()));
    return vars;
  }

  /** The class options, from the class variable's own query. */
  private static List<String> classOptions() throws Exception {
    JsonNode q =
        dashboard("slo-overview.json").variables().get("class").path("query").path("infinityQuery");
    HttpResponse<String> r = get(q.path("url").asText());
    assertThat(r.statusCode()).isEqualTo(200);
    Set<String> out = new LinkedHashSet<>();
    String column = q.path("columns").path(0).path("selector").asText();
    for (JsonNode row :
        InfinityJson.rows(RepoFiles.JSON.readTree(r.body()), q.path("root_selector").asText())) {
      out.add(InfinityJson.select(row, column).asText());
    }
    return new ArrayList<>(out);
  }

  private static List<JsonNode> rows(Query q, Map<String, String> vars) throws Exception {
    assertThat(check(q, vars)).as(q.where()).isNull();
    HttpResponse<String> r = get(Grafana.interpolate(q.url(), vars));
    return InfinityJson.rows(
            RepoFiles.JSON.readTree(r.body()), Grafana.interpolate(q.rootSelector(), vars))
        .stream()
        .map(row -> flatten(q, row))
        .toList();
  }

  /** A row as the panel's frame has it: one member per selected column, named by its selector. */
  private static JsonNode flatten(Query q, JsonNode row) {
    com.fasterxml.jackson.databind.node.ObjectNode out = RepoFiles.JSON.createObjectNode();
    for (JsonNode c : q.columns()) {
      out.set(c.path("selector").asText(), InfinityJson.select(row, c.path("selector").asText()));
    }
    return out;
  }

  private static Dashboard dashboard(String name) {
    return Grafana.dashboards().stream()
        .filter(d -> d.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static Query query(Dashboard d, String titlePrefix, String refId) {
    return Grafana.queries(d).stream()
        .filter(q -> q.panel().path("title").asText().startsWith(titlePrefix))
        .filter(q -> q.target().path("refId").asText().equals(refId))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    d.name() + " has no query " + refId + " in '" + titlePrefix + "'"));
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.apiUrl() + pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls the API until every request sent is assembled and stored. */
  private static void awaitEveryRequest() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    Instant a = sentAt.minus(Duration.ofHours(2));
    Instant b = sentAt.plus(Duration.ofHours(1));
    while (true) {
      Map<String, Long> counted = new HashMap<>();
      for (String cls : sent.keySet()) {
        HttpResponse<String> r =
            get(
                "/api/v1/slo?class="
                    + cls
                    + "&tenant="
                    + TENANT
                    + "&from="
                    + a.toEpochMilli()
                    + "&to="
                    + b.toEpochMilli());
        counted.put(cls, RepoFiles.JSON.readTree(r.body()).path("requests").asLong());
      }
      boolean complete =
          sent.entrySet().stream().allMatch(e -> counted.get(e.getKey()) >= e.getValue());
      if (complete) {
        assertThat(counted)
            .as("requests stored, per class")
            .containsExactlyInAnyOrderEntriesOf(
                Map.of(
                    DemoTraffic.PREMIUM,
                    (long) sent.get(DemoTraffic.PREMIUM),
                    DemoTraffic.STANDARD,
                    (long) sent.get(DemoTraffic.STANDARD),
                    DemoTraffic.BATCH,
                    (long) sent.get(DemoTraffic.BATCH)));
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not every request was stored in time: sent " + sent + ", stored " + counted);
      }
      Thread.sleep(500);
    }
  }
}
