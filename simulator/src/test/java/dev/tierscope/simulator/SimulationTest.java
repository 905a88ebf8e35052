package dev.tierscope.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.SimulatedRequest.ToolCall;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/** A run's requests, their timelines and the ground truth written for them. */
class SimulationTest {

  static final Clock START = Clock.fixed(Instant.parse("2026-11-27T09:00:00Z"), ZoneOffset.UTC);

  static SimulationConfig.Builder fast(long seed) {
    return SimulationConfig.builder()
        .seed(seed)
        .requestsPerSecond(20)
        .duration(Duration.ofMinutes(5))
        .speed(0);
  }

  static String groundTruth(SimulationConfig config) {
    StringWriter out = new StringWriter();
    try (GroundTruthWriter truth = new GroundTruthWriter(out)) {
      Simulation.run(config, START, truth);
    }
    return out.toString();
  }

  @Test
  void aSeedGivesIdenticalGroundTruth() {
    SimulationConfig config =
        fast(42).faults(FaultSchedule.of(FaultWindow.parse("edge-vpn@1m+2m"))).build();
    String first = groundTruth(config);
    String second = groundTruth(config);
    assertThat(first.lines().count()).isGreaterThan(5000);
    assertThat(second).isEqualTo(first);
    assertThat(groundTruth(fast(43).faults(config.faults()).build())).isNotEqualTo(first);
  }

  @Test
  void groundTruthLinesCarryTheRequestAndTheFaultActiveWhenItStarted() {
    SimulationConfig config =
        fast(7).faults(FaultSchedule.of(FaultWindow.parse("mesh-tool-timeout@1m+1m"))).build();
    List<String> lines = groundTruth(config).lines().toList();
    assertThat(lines.get(0)).startsWith("{\"type\":\"run\",\"seed\":7,");
    assertThat(lines.get(lines.size() - 1)).startsWith("{\"type\":\"end\"");
    assertThat(lines.stream().filter(l -> l.contains("\"type\":\"fault\"")))
        .hasSize(2)
        .allMatch(l -> l.contains("\"fault\":\"mesh-tool-timeout\",\"tier\":\"mesh\""));

    long startMicros = Simulation.epochMicros(START.instant());
    int requests = 0;
    for (String line : lines) {
      Map<String, Object> m = parse(line);
      if (!"request".equals(m.get("type"))) {
        continue;
      }
      requests++;
      long ttft = (Long) m.get("ttftMicros");
      assertThat(ttft)
          .isEqualTo(
              (Long) m.get("edgeMicros")
                  + (Long) m.get("meshMicros")
                  + (Long) m.get("modelMicros"));
      assertThat((String) m.get("traceId")).matches("[0-9a-f]{32}");
      long offsetMicros = (Long) m.get("startEpochMicros") - startMicros;
      boolean inWindow = offsetMicros >= 60_000_000 && offsetMicros < 120_000_000;
      assertThat(m.get("fault")).isEqualTo(inWindow ? "mesh-tool-timeout" : "none");
      assertThat(m.get("faultTiers")).isEqualTo(inWindow ? List.of("mesh") : List.of());
      assertThat(m).containsKeys("class", "workflow", "outcome", "clientPath", "modelQueueMicros");
    }
    assertThat(requests).isGreaterThan(5000);
  }

  @Test
  void everyTimelineNestsAndDecomposesExactly() {
    CollectingSink sink = new CollectingSink();
    SimulationResult result = Simulation.run(fast(3).build(), START, sink);
    assertThat(result.requests()).isEqualTo(sink.requests.size());
    Set<String> traceIds = new HashSet<>();
    for (SimulatedRequest r : sink.requests) {
      assertThat(traceIds.add(r.traceId())).as("unique trace id").isTrue();
      assertThat(r.edgeMicros()).isPositive();
      assertThat(r.meshMicros()).isPositive();
      assertThat(r.modelMicros()).isPositive();
      assertThat(r.ttftMicros()).isEqualTo(r.edgeMicros() + r.meshMicros() + r.modelMicros());
      assertThat(r.gatewayStartMicros()).isGreaterThan(r.clientStartMicros());
      assertThat(r.policy().startMicros()).isGreaterThanOrEqualTo(r.gatewayStartMicros());
      long cursor = r.policy().endMicros();
      if (r.retrieval() != null) {
        assertThat(r.retrieval().startMicros()).isGreaterThanOrEqualTo(cursor);
        cursor = r.retrieval().endMicros();
      }
      for (ToolCall t : r.tools()) {
        assertThat(t.startMicros()).isGreaterThanOrEqualTo(cursor);
        cursor = t.endMicros();
      }
      assertThat(r.model().startMicros()).isGreaterThanOrEqualTo(cursor);
      assertThat(r.model().firstTokenMicros()).isLessThanOrEqualTo(r.model().endMicros());
      assertThat(r.gatewayFirstTokenMicros()).isGreaterThan(r.model().firstTokenMicros());
      assertThat(r.gatewayEndMicros()).isGreaterThanOrEqualTo(r.gatewayFirstTokenMicros());
      assertThat(r.clientFirstTokenMicros()).isGreaterThan(r.gatewayFirstTokenMicros());
      assertThat(r.clientEndMicros()).isGreaterThanOrEqualTo(r.clientFirstTokenMicros());
      assertThat(r.clientEndMicros()).isGreaterThanOrEqualTo(r.gatewayEndMicros());
      switch (r.workflow()) {
        case CHAT -> assertThat(r.retrieval()).isNull();
        case RAG, BATCH_SUMMARISATION -> assertThat(r.retrieval()).isNotNull();
        case AGENT -> assertThat(r.tools()).isNotEmpty();
      }
      if (r.trafficClass() == TrafficClass.DEFERRED_BATCH) {
        assertThat(r.workflow()).isIn(Workflow.BATCH_SUMMARISATION, Workflow.RAG);
      }
    }
    // Requests reach the sink in the order they end, as an exporter sends them.
    for (int i = 1; i < sink.requests.size(); i++) {
      assertThat(sink.requests.get(i).clientEndMicros())
          .isGreaterThanOrEqualTo(sink.requests.get(i - 1).clientEndMicros());
    }
    assertThat(result.byOutcome()).containsKeys("completed", "cancelled");
    assertThat(result.byOutcome().get("completed")).isGreaterThan(result.requests() * 9 / 10);
  }

  @Test
  void classAndWorkflowMixesAreFollowed() {
    CollectingSink sink = new CollectingSink();
    SimulationConfig config =
        fast(11)
            .classMix(
                Map.of(
                    TrafficClass.INTERACTIVE_PREMIUM, 3.0,
                    TrafficClass.STANDARD_INTERACTIVE, 1.0))
            .workflowMix(TrafficClass.INTERACTIVE_PREMIUM, Map.of(Workflow.AGENT, 1.0))
            .build();
    Simulation.run(config, START, sink);
    long premium =
        sink.requests.stream()
            .filter(r -> r.trafficClass() == TrafficClass.INTERACTIVE_PREMIUM)
            .count();
    assertThat((double) premium / sink.requests.size())
        .isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.02));
    assertThat(sink.requests)
        .filteredOn(r -> r.trafficClass() == TrafficClass.INTERACTIVE_PREMIUM)
        .allMatch(r -> r.workflow() == Workflow.AGENT);
    assertThat(sink.requests).noneMatch(r -> r.trafficClass() == TrafficClass.DEFERRED_BATCH);
  }

  @Test
  void faultSwitchesAreDeliveredInTimeOrderAmongTheRequests() {
    CollectingSink sink = new CollectingSink();
    FaultSchedule schedule =
        FaultSchedule.cycle(
            Duration.ofSeconds(40),
            Duration.ofSeconds(30),
            List.of(FaultKind.EDGE_LOSS, FaultKind.MODEL_SLOW_PREFILL));
    Simulation.run(fast(5).faults(schedule).build(), START, sink);
    // 0-40 healthy, 40-70 loss, 70-110 healthy, 110-140 prefill, 140-180 healthy, 180-210 loss ...
    assertThat(sink.switches)
        .extracting(s -> s.fault().kind().value() + (s.on() ? " on " : " off ") + s.at())
        .startsWith(
            "edge-loss on 2026-11-27T09:00:40Z",
            "edge-loss off 2026-11-27T09:01:10Z",
            "model-slow-prefill on 2026-11-27T09:01:50Z",
            "model-slow-prefill off 2026-11-27T09:02:20Z",
            "edge-loss on 2026-11-27T09:03:00Z");
    long lastMicros = Long.MIN_VALUE;
    for (Object e : sink.events) {
      long at =
          e instanceof SimulatedRequest r
              ? r.clientEndMicros()
              : Simulation.epochMicros(((CollectingSink.Switch) e).at());
      assertThat(at).isGreaterThanOrEqualTo(lastMicros);
      lastMicros = at;
    }
    for (SimulatedRequest r : sink.requests) {
      Duration offset =
          Duration.ofNanos(
              (r.clientStartMicros() - Simulation.epochMicros(START.instant())) * 1000);
      assertThat(r.faults()).isEqualTo(schedule.activeAt(offset));
    }
  }

  @Test
  void stopEndsAnUnboundedRunAndDeliversWhatWasInFlight() throws Exception {
    CollectingSink sink = new CollectingSink();
    Simulation simulation =
        new Simulation(fast(9).duration(Duration.ZERO).speed(60).build(), START, sink);
    Thread stopper =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                return;
              }
              simulation.stop();
            });
    stopper.start();
    SimulationResult result = simulation.run();
    stopper.join();
    assertThat(result.stopped()).isTrue();
    assertThat(result.requests()).isPositive().isEqualTo(sink.requests.size());
    assertThat(sink.requests).extracting(SimulatedRequest::outcome).contains(Outcome.COMPLETED);
  }

  /** One JSON object of scalars and string arrays. */
  static Map<String, Object> parse(String line) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), line)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (t) {
          case VALUE_STRING -> out.put(name, p.getString());
          case VALUE_NUMBER_INT -> out.put(name, p.getLongValue());
          case VALUE_NUMBER_FLOAT -> out.put(name, p.getDoubleValue());
          case VALUE_TRUE, VALUE_FALSE -> out.put(name, p.getBooleanValue());
          case START_ARRAY -> {
            List<String> values = new java.util.ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
              values.add(p.getString());
            }
            out.put(name, values);
          }
          default -> p.skipChildren();
        }
      }
    }
    return out;
  }
}
