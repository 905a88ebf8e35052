package dev.tierscope.server.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.FaultSchedule;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.TierscopeSink;
import dev.tierscope.testsupport.ChildJvm;
import dev.tierscope.testsupport.monitoring.PrometheusServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real Prometheus (Debian's 2.42) scrapes a running Tierscope while one aggregator is killed with
 * SIGKILL mid-stream and two more join (a rebalance), with the rule file loaded. Two scrape jobs
 * read the same api, as two api replicas behind one service would be.
 *
 * <p>Once the seeded stream is fully counted and traffic has stopped: the counters Prometheus
 * returns (instant queries, not {@code increase()}) equal the good and total events {@code
 * /api/v1/slo} gives for all time, per class and SLI, on both replicas; the request counters equal
 * what the simulator sent (nothing lost, nothing counted twice); no counter ever went down in
 * Prometheus's eyes ({@code resets() == 0}); the rule file's recordings exist for every SLI; and
 * every PromQL query of the Prometheus dashboard runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusScrapeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] SLIS = {
    "ttft", "streamInterruption", "toolchainLatency", "retrievalFallback"
  };
  private static final double RATE = 25;

  private Deployment deployment;
  private String api;
  private PrometheusServer prometheusServer;
  private Prometheus prometheus;
  private final Map<TrafficClass, AtomicLong> sent = new EnumMap<>(TrafficClass.class);
  private long testStartSeconds;
  private long seenAtKill;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void runTheStream() throws Exception {
    testStartSeconds = Instant.now().getEpochSecond();
    for (TrafficClass c : TrafficClass.values()) {
      sent.put(c, new AtomicLong());
    }
    // simulated time, as fast as the ingest takes it. A request completes once stream time has
    // passed its root's end by the grace; after the last record stream time only follows the wall
    // clock (idle advance), so a grace longer than a phase's stream would hold every request for
    // minutes after the phase: 30 s of grace (the simulator sends no late spans) lets requests
    // complete while their phase streams, and the kill below lands mid-stream.
    deployment =
        new Deployment(
            "prom_scrape",
            Map.of(
                "tierscope.aggregator.idle-advance-after", "1s",
                "tierscope.aggregator.grace", "30s",
                "tierscope.aggregator.max-age", "20m",
                "tierscope.aggregator.allowed-lateness", "20m",
                "tierscope.rollup.delay", "30m"));
    ChildJvm first = deployment.startAggregator("first");
    String ingest = deployment.startIngest();
    api = Deployment.url(deployment.startApi(Map.of()));

    URI target = URI.create(api);
    String scrapeTarget = target.getHost() + ":" + target.getPort();
    Path dir = Files.createTempDirectory(tmp(), "prometheus-scrape");
    String rules = Files.readString(repo().resolve("prometheus/tierscope-slo-rules.yml"));
    prometheusServer =
        PrometheusServer.start(
            dir,
            """
            global:
              scrape_interval: 2s
              scrape_timeout: 2s
              evaluation_interval: 2s
            rule_files:
              - tierscope-slo-rules.yml
            scrape_configs:
              - job_name: tierscope-a
                metrics_path: /api/v1/metrics
                static_configs:
                  - targets: ['%1$s']
                    labels: {replica: a}
              - job_name: tierscope-b
                metrics_path: /api/v1/metrics
                static_configs:
                  - targets: ['%1$s']
                    labels: {replica: b}
            """
                .formatted(scrapeTarget),
            Map.of("tierscope-slo-rules.yml", rules));
    prometheus = new Prometheus(prometheusServer);

    Instant start = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MINUTES);
    // 1. three simulated minutes; kill the only aggregator once part of it is counted
    send(ingest, 1, start, Duration.ofMinutes(2), "default");
    long firstPhase = total();
    awaitRequestsAtLeast(firstPhase / 4);
    seenAtKill = requestsInApi();
    first.kill();
    System.out.printf(
        "killed the aggregator with %d of %d requests counted%n", seenAtKill, firstPhase);
    // 2. a second aggregator takes over; a third joins while traffic flows: a rebalance
    deployment.startAggregator("second");
    send(ingest, 2, start.plus(Duration.ofMinutes(2)), Duration.ofMinutes(1), "default");
    deployment.startAggregator("third");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Instant t = start.plus(Duration.ofMinutes(3));
    while (deployment.membersWithPartitions() < 2) {
      assertThat(System.nanoTime()).as("the third aggregator joined in time").isLessThan(deadline);
      send(ingest, 3 + t.getEpochSecond(), t, Duration.ofSeconds(5), "default");
      t = t.plusSeconds(5);
      Thread.sleep(1_000);
    }
    send(ingest, 4, t, Duration.ofMinutes(1), "default");
    // 3. push stream time past the grace with a short run of another tenant ten simulated
    // minutes later: its own last requests stay open, the default tenant's all complete
    send(ingest, 5, t.plus(Duration.ofMinutes(11)), Duration.ofSeconds(20), "flush");
    awaitRequestsAtLeast(total());
    // whatever is still in flight would show up now as a double count
    Thread.sleep(5_000);
    awaitPrometheusCaughtUp();
  }

  @AfterAll
  void stop() throws Exception {
    if (prometheusServer != null) {
      prometheusServer.close();
    }
    if (deployment != null) {
      deployment.close();
    }
  }

  @Test
  void prometheusCountersEqualTheAllTimeGoodAndTotalOfTheSloApiOnEveryReplica() throws Exception {
    assertThat(seenAtKill).as("the kill happened mid-stream").isLessThan(total());
    int compared = 0;
    for (TrafficClass c : TrafficClass.values()) {
      JsonNode slo = slo(c.value());
      for (String sli : SLIS) {
        long total = slo.path("slis").path(sli).path("total").asLong();
        long good = slo.path("slis").path(sli).path("good").asLong();
        String labels = "{tenant=\"default\",class=\"" + c.value() + "\",sli=\"" + sli + "\"}";
        List<Prometheus.Sample> totals = prometheus.query("tierscope_slo_events_total" + labels);
        List<Prometheus.Sample> goods =
            prometheus.query("tierscope_slo_good_events_total" + labels);
        assertThat(totals).as(c.value() + " " + sli + " on both replicas").hasSize(2);
        assertThat(totals)
            .allSatisfy(s -> assertThat(s.value()).as(c + " " + sli + " total").isEqualTo(total));
        assertThat(goods)
            .allSatisfy(s -> assertThat(s.value()).as(c + " " + sli + " good").isEqualTo(good));
        System.out.printf(
            "%-20s %-18s Prometheus good/total %8.0f / %8.0f   /api/v1/slo %8d / %8d%n",
            c.value(), sli, goods.get(0).value(), totals.get(0).value(), good, total);
        compared++;
      }
      // and the requests are what the simulator sent: nothing lost, nothing counted twice
      assertThat(
              prometheus.query(
                  "tierscope_requests_total{tenant=\"default\",class=\"" + c.value() + "\"}"))
          .hasSize(2)
          .allSatisfy(s -> assertThat(s.value()).as(c + " requests").isEqualTo(sent.get(c).get()));
      assertThat(slo.path("requests").asLong()).isEqualTo(sent.get(c).get());
    }
    assertThat(compared).isEqualTo(12);
    // the comparison could fail: some events are bad
    double bad =
        prometheus
            .query("sum(tierscope_slo_events_total) - sum(tierscope_slo_good_events_total)")
            .get(0)
            .value();
    assertThat(bad).isPositive();
  }

  @Test
  void noCounterWentDownThroughTheKillAndTheRebalance() throws Exception {
    long range = Instant.now().getEpochSecond() - testStartSeconds + 60;
    for (String counter :
        List.of(
            "tierscope_slo_events_total",
            "tierscope_slo_good_events_total",
            "tierscope_requests_total")) {
      List<Prometheus.Sample> resets =
          prometheus.query("max(resets(" + counter + "[" + range + "s]))");
      assertThat(resets).singleElement().satisfies(s -> assertThat(s.value()).as(counter).isZero());
      // and Prometheus saw the default tenant's move through the kill and the rebalance: many
      // samples (the "flush" tenant only appears in the last seconds, to push stream time)
      List<Prometheus.Sample> samples =
          prometheus.query(
              "min(count_over_time(" + counter + "{tenant=\"default\"}[" + range + "s]))");
      assertThat(samples.get(0).value()).as(counter + " samples").isGreaterThan(5);
    }
    assertThat(
            prometheus
                .query("max(increase(tierscope_requests_total[" + range + "s]))")
                .get(0)
                .value())
        .isPositive();
  }

  @Test
  void theRuleFileRecordsEveryWindowOfEverySli() throws Exception {
    for (String w : List.of("5m", "30m", "1h", "2h", "6h", "1d", "3d")) {
      List<Prometheus.Sample> burn =
          prometheus.query("tierscope_slo:burn_rate:rate" + w + "{tenant=\"default\"}");
      assertThat(burn).as("burn rate over " + w).hasSize(3 * SLIS.length);
      // one series per tenant, class and SLI: the two replicas are not counted twice
      assertThat(burn)
          .allSatisfy(s -> assertThat(s.labels()).doesNotContainKeys("replica", "instance", "job"));
    }
    assertThat(
            prometheus.query(
                "tierscope_slo:objective_ratio{class=\"interactive_premium\",sli=\"streamInterruption\"}"))
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(0.995));
  }

  @Test
  void everyQueryOfThePrometheusDashboardRuns() throws Exception {
    JsonNode dashboard =
        JSON.readTree(
            Files.readString(repo().resolve("dashboards/prometheus/slo-prometheus.json")));
    long end = Instant.now().getEpochSecond();
    int queries = 0;
    List<String> variables = new ArrayList<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      String q = v.path("query").path("query").asText();
      Matcher m = Pattern.compile("label_values\\((.*), (\\w+)\\)").matcher(q);
      assertThat(m.matches()).as(q).isTrue();
      String values =
          prometheusServer
              .get(
                  "/api/v1/label/"
                      + m.group(2)
                      + "/values?match[]="
                      + java.net.URLEncoder.encode(
                          substitute(m.group(1)), java.nio.charset.StandardCharsets.UTF_8))
              .body();
      assertThat(JSON.readTree(values).path("data").toString())
          .as(q)
          .contains(
              "\"" + (m.group(2).equals("tenant") ? "default" : "interactive_premium") + "\"");
      variables.add(v.path("name").asText());
    }
    assertThat(variables).containsExactly("tenant", "class");
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = substitute(target.path("expr").asText());
        String where = panel.path("title").asText() + " " + target.path("refId").asText();
        List<Prometheus.Sample> instant = prometheus.query(expr);
        int series = prometheus.queryRange(expr, end - 120, end, "10");
        if (!expr.contains("ALERTS")) {
          assertThat(instant).as(where + ": " + expr).isNotEmpty();
          assertThat(series).as(where + " over a range").isPositive();
        }
        queries++;
      }
    }
    assertThat(queries).isEqualTo(15);
  }

  /**
   * Grafana's variables as the dashboard would have them for the default tenant's premium class.
   */
  private static String substitute(String expr) {
    return expr.replace("$tenant", "default")
        .replace("$class", "interactive_premium")
        .replace("$__range", "10m")
        .replace("$__rate_interval", "1m");
  }

  private void send(String ingest, long seed, Instant start, Duration length, String tenant)
      throws Exception {
    SimulationConfig config =
        SimulationConfig.builder()
            .seed(seed)
            .requestsPerSecond(RATE)
            .duration(length)
            .speed(0)
            .faults(FaultSchedule.none())
            .build();
    RequestSink counter =
        r -> {
          if (tenant.equals("default")) {
            sent.get(r.trafficClass()).incrementAndGet();
          }
        };
    try (TierscopeSink spans = TierscopeSink.create(seed, b -> b.endpoint(ingest).tenant(tenant))) {
      Simulation.run(config, Clock.fixed(start, ZoneOffset.UTC), RequestSink.of(spans, counter));
      assertThat(spans.flush(Duration.ofSeconds(60))).as("exported: " + spans.stats()).isTrue();
    }
  }

  private long total() {
    return sent.values().stream().mapToLong(AtomicLong::get).sum();
  }

  private JsonNode slo(String cls) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        api
                            + "/api/v1/slo?class="
                            + cls
                            + "&from=0&to="
                            + Instant.now().plus(Duration.ofDays(1)).toEpochMilli()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private long requestsInApi() throws Exception {
    long n = 0;
    for (TrafficClass c : TrafficClass.values()) {
      n += slo(c.value()).path("requests").asLong();
    }
    return n;
  }

  private void awaitRequestsAtLeast(long n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = requestsInApi();
      if (seen >= n) {
        return;
      }
      deployment.checkAggregatorsAlive();
      Thread.sleep(500);
    }
    throw new AssertionError("only " + seen + " of " + n + " requests counted in time");
  }

  /** Until both replicas' latest scrape shows every request. */
  private void awaitPrometheusCaughtUp() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      List<Prometheus.Sample> s =
          prometheus.query("sum by (replica) (tierscope_requests_total{tenant=\"default\"})");
      if (s.size() == 2 && s.stream().allMatch(x -> x.value() == total())) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "Prometheus did not scrape the final counts:\n" + prometheusServer.logTail());
  }

  private static Path repo() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("prometheus"))
          && Files.isRegularFile(d.resolve("pom.xml"))
          && Files.isDirectory(d.resolve("server"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + dir);
  }

  private static Path tmp() throws java.io.IOException {
    String t = System.getenv("TIERSCOPE_TEST_TMP");
    Path dir = t != null ? Path.of(t) : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(dir);
    return dir;
  }
}
