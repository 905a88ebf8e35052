package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.Backend;
import dev.tierscope.simulator.FaultSchedule;
import dev.tierscope.simulator.FaultWindow;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.SimulatedRequest;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.TierscopeSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failover drill end to end (docs/failover-validation.md): the simulator sends a healthy minute,
 * a minute with half of the model calls failed over to the standby runtime in the other region, and
 * a minute with every retrieval failed over to the standby retriever, through the SDK to a running
 * server. The views show the move and its cost per backend, against the simulator's ground truth:
 * {@code /api/v1/slo?breakdown=service} and {@code breakdown=retrievalService} count every
 * backend's requests exactly and give its TTFT percentiles within 1%; the series by backend shows
 * the traffic moving minute by minute; the attribution of each failover minute names its tier and
 * the standby.
 */
class FailoverViewsIT {

  private static final TrafficClass PREMIUM = TrafficClass.INTERACTIVE_PREMIUM;
  private static final long SEED = 19;
  private static final Duration MINUTE = Duration.ofMinutes(1);

  private static TierscopeServer server;
  private static ApiProbe api;
  private static Instant start;
  private static final List<SimulatedRequest> truth =
      Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void drill() throws Exception {
    server = AccuracyRun.startServer();
    api = new ApiProbe(server.apiUrl());
    // In the past (within the raw windows' retention), on a window boundary.
    start = Instant.now().minus(Duration.ofHours(20)).truncatedTo(ChronoUnit.HOURS);
    send(
        SEED,
        start,
        MINUTE.multipliedBy(3),
        FaultSchedule.of(
            FaultWindow.parse("model-failover@1m+1m*0.5"),
            FaultWindow.parse("retrieval-failover@2m+1m")),
        truth::add);
    // A short healthy run ten simulated minutes later moves the aggregator's stream time on, so
    // that the drill's last requests complete at once.
    send(
        SEED + 1_000_000,
        start.plus(Duration.ofMinutes(13)),
        Duration.ofSeconds(20),
        FaultSchedule.none(),
        r -> {});
    long premium = truth.stream().filter(r -> r.trafficClass() == PREMIUM).count();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (api.requests(null, PREMIUM.value(), start, start.plus(Duration.ofMinutes(4))) < premium
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static void send(
      long seed, Instant at, Duration length, FaultSchedule faults, RequestSink sink)
      throws Exception {
    Map<TrafficClass, Double> mix = new EnumMap<>(TrafficClass.class);
    mix.put(TrafficClass.INTERACTIVE_PREMIUM, 0.5);
    mix.put(TrafficClass.STANDARD_INTERACTIVE, 0.35);
    mix.put(TrafficClass.DEFERRED_BATCH, 0.15);
    SimulationConfig config =
        SimulationConfig.builder()
            .seed(seed)
            .requestsPerSecond(30)
            .classMix(mix)
            .duration(length)
            .speed(0)
            .faults(faults)
            .build();
    try (TierscopeSink spans = TierscopeSink.create(seed, b -> b.endpoint(server.otlpHttpUrl()))) {
      Simulation.run(config, Clock.fixed(at, ZoneOffset.UTC), RequestSink.of(spans, sink));
      assertThat(spans.flush(Duration.ofSeconds(60))).as("every span exported").isTrue();
    }
  }

  /** The premium requests that started in minute {@code m} of the drill (0, 1 or 2). */
  private static List<SimulatedRequest> minute(int m) {
    long from = Simulation.epochMicros(start.plus(MINUTE.multipliedBy(m)));
    long to = from + 60_000_000L;
    synchronized (truth) {
      return truth.stream()
          .filter(r -> r.trafficClass() == PREMIUM)
          .filter(r -> r.clientStartMicros() >= from && r.clientStartMicros() < to)
          .toList();
    }
  }

  private static JsonNode slo(int minute, String breakdown) {
    Instant from = start.plus(MINUTE.multipliedBy(minute));
    return api.get(
        "/api/v1/slo?class="
            + PREMIUM.value()
            + "&from="
            + from
            + "&to="
            + from.plus(MINUTE)
            + "&breakdown="
            + breakdown);
  }

  /** The API's entries: value to entry. */
  private static Map<String, JsonNode> entries(JsonNode response) {
    Map<String, JsonNode> out = new TreeMap<>();
    response.path("entries").forEach(e -> out.put(e.path("value").asText(), e));
    return out;
  }

  /**
   * HdrHistogram's percentile on the exact TTFTs, in ms: the value of rank {@code ceil(p * n)} (at
   * least 1), as {@code getValueAtPercentile} counts it.
   */
  private static double percentileMs(List<SimulatedRequest> requests, double percentile) {
    long[] v = requests.stream().mapToLong(SimulatedRequest::ttftMicros).sorted().toArray();
    double below = Math.nextAfter(percentile, Double.NEGATIVE_INFINITY);
    int rank = (int) Math.max(1, (long) Math.ceil(below / 100 * v.length));
    return v[rank - 1] / 1000.0;
  }

  /**
   * Per backend of the ground truth (by {@code backendOf}), the API's entry has exactly its
   * requests and its TTFT p50 and p95 within 1%.
   */
  private static void entriesMatchTheTruth(
      Map<String, JsonNode> entries,
      List<SimulatedRequest> requests,
      Function<SimulatedRequest, String> backendOf) {
    Map<String, List<SimulatedRequest>> byBackend = new TreeMap<>();
    for (SimulatedRequest r : requests) {
      byBackend.computeIfAbsent(backendOf.apply(r), k -> new ArrayList<>()).add(r);
    }
    assertThat(entries.keySet()).isEqualTo(byBackend.keySet());
    byBackend.forEach(
        (backend, rs) -> {
          JsonNode e = entries.get(backend);
          assertThat(e.path("requests").asLong()).as(backend).isEqualTo(rs.size());
          JsonNode ttft = e.path("slis").path("ttft");
          for (double p : new double[] {50, 95}) {
            double exact = percentileMs(rs, p);
            assertThat(ttft.path(p == 50 ? "p50Ms" : "p95Ms").asDouble())
                .as("%s TTFT p%.0f (exact %.1f ms)", backend, p, exact)
                .isCloseTo(exact, within(exact * 0.01));
          }
        });
  }

  @Test
  void theModelFailoverShowsTheMoveAndItsCostPerBackend() {
    String primary = Backend.MODEL_PRIMARY.service();
    String standby = Backend.MODEL_SECONDARY.service();
    Function<SimulatedRequest, String> runtime = r -> r.model().backend().service();

    Map<String, JsonNode> healthy = entries(slo(0, "service"));
    assertThat(healthy.keySet()).containsExactly(primary);
    entriesMatchTheTruth(healthy, minute(0), runtime);

    List<SimulatedRequest> failover = minute(1);
    Map<String, JsonNode> moved = entries(slo(1, "service"));
    assertThat(moved.keySet()).containsExactly(primary, standby);
    entriesMatchTheTruth(moved, failover, runtime);
    // About half moved, and each moved request paid about one round trip to the other region.
    long onStandby = moved.get(standby).path("requests").asLong();
    assertThat((double) onStandby / failover.size()).isBetween(0.4, 0.6);
    double cost =
        moved.get(standby).path("slis").path("ttft").path("p50Ms").asDouble()
            - moved.get(primary).path("slis").path("ttft").path("p50Ms").asDouble();
    assertThat(cost).as("TTFT p50 on the standby minus on the primary, ms").isBetween(50.0, 160.0);
    double modelCost =
        moved.get(standby).path("components").path("model").path("p50Ms").asDouble()
            - moved.get(primary).path("components").path("model").path("p50Ms").asDouble();
    assertThat(modelCost).as("model time p50, standby minus primary, ms").isBetween(50.0, 160.0);
  }

  @Test
  void theRetrievalFailoverShowsTheMoveAndItsCostPerRetriever() {
    Function<SimulatedRequest, String> retriever =
        r -> r.retrieval() == null ? "unknown" : r.retrieval().backend().service();
    Map<String, JsonNode> healthy = entries(slo(0, "retrievalService"));
    assertThat(healthy.keySet()).containsExactly(Backend.RETRIEVAL_PRIMARY.service(), "unknown");
    entriesMatchTheTruth(healthy, minute(0), retriever);

    Map<String, JsonNode> moved = entries(slo(2, "retrievalService"));
    assertThat(moved.keySet()).containsExactly(Backend.RETRIEVAL_SECONDARY.service(), "unknown");
    entriesMatchTheTruth(moved, minute(2), retriever);
    // The model tier stayed where it was while the retrieval tier moved.
    assertThat(entries(slo(2, "service")).keySet())
        .containsExactly(Backend.MODEL_PRIMARY.service());
    double cost =
        moved
                .get(Backend.RETRIEVAL_SECONDARY.service())
                .path("components")
                .path("mesh")
                .path("p50Ms")
                .asDouble()
            - healthy
                .get(Backend.RETRIEVAL_PRIMARY.service())
                .path("components")
                .path("mesh")
                .path("p50Ms")
                .asDouble();
    assertThat(cost)
        .as("mesh p50 of retrieving requests, failed over minus healthy, ms")
        .isBetween(200.0, 450.0);
  }

  @Test
  void theSeriesByBackendShowsTheTrafficMovingMinuteByMinute() {
    JsonNode series =
        api.get(
            "/api/v1/slo/series?class="
                + PREMIUM.value()
                + "&from="
                + start
                + "&to="
                + start.plus(MINUTE.multipliedBy(3))
                + "&sli=ttft&stat=count&step=1m&breakdown=service");
    Map<String, JsonNode> entries = entries(series);
    assertThat(entries.keySet())
        .containsExactly(Backend.MODEL_PRIMARY.service(), Backend.MODEL_SECONDARY.service());
    for (int m = 0; m < 3; m++) {
      for (Backend b : List.of(Backend.MODEL_PRIMARY, Backend.MODEL_SECONDARY)) {
        Predicate<SimulatedRequest> on = r -> r.model().backend().equals(b);
        long expected = minute(m).stream().filter(on).count();
        JsonNode point = entries.get(b.service()).path("points").get(m);
        assertThat(point.path("value").isNull() ? 0 : point.path("value").asLong())
            .as("%s requests in minute %d", b.service(), m)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void theAttributionOfEachFailoverNamesItsTierAndTheStandby() {
    Instant baseFrom = start.plus(AccuracyRun.SETTLE);
    Instant baseTo = start.plus(MINUTE);
    ApiProbe.Attribution model =
        api.attribution(
            null,
            PREMIUM.value(),
            start.plus(MINUTE).plus(AccuracyRun.SETTLE),
            start.plus(MINUTE.multipliedBy(2)),
            baseFrom,
            baseTo);
    assertThat(model.verdict()).as(model.evidence().toString()).isEqualTo("model");
    assertThat(model.evidence())
        .anyMatch(e -> e.contains(" served by " + Backend.MODEL_SECONDARY.service() + " "));
    ApiProbe.Attribution retrieval =
        api.attribution(
            null,
            PREMIUM.value(),
            start.plus(MINUTE.multipliedBy(2)).plus(AccuracyRun.SETTLE),
            start.plus(MINUTE.multipliedBy(3)),
            baseFrom,
            baseTo);
    assertThat(retrieval.verdict()).as(retrieval.evidence().toString()).isEqualTo("mesh");
    assertThat(retrieval.evidence())
        .anyMatch(e -> e.contains(" served by " + Backend.RETRIEVAL_SECONDARY.service() + " "));
  }
}
