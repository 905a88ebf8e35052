package dev.tierscope.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.ExportStats;
import dev.tierscope.sdk.IngestHarness;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.simulator.cli.SimulatorCommand;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.StreamOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The simulator's traffic through the SDK as real OTLP to the real ingest: what the ingest produced
 * to the broker reconstructs the ground truth exactly, request by request.
 */
class SimulatorIngestIT {

  private static IngestHarness ingest;

  @BeforeAll
  static void startIngest() {
    ingest = new IngestHarness();
  }

  @AfterAll
  static void stopIngest() {
    if (ingest != null) {
      ingest.close();
    }
  }

  private static int spanCount(SimulatedRequest r) {
    return 4 + (r.retrieval() == null ? 0 : 1) + r.tools().size();
  }

  private static long micros(long nanos) {
    return nanos / 1000;
  }

  private static StreamOutcome wire(Outcome o) {
    return switch (o) {
      case COMPLETED -> StreamOutcome.STREAM_OUTCOME_COMPLETED;
      case INTERRUPTED -> StreamOutcome.STREAM_OUTCOME_INTERRUPTED;
      case CANCELLED -> StreamOutcome.STREAM_OUTCOME_CANCELLED;
      case FAILED -> StreamOutcome.STREAM_OUTCOME_UNSPECIFIED;
    };
  }

  private static SpanEvent one(List<SpanEvent> spans, Role role) {
    List<SpanEvent> of = spans.stream().filter(e -> e.getRole() == role).toList();
    assertThat(of).as("spans of role " + role).hasSize(1);
    return of.get(0);
  }

  @Test
  void whatTheIngestProducedReconstructsTheGroundTruth() {
    SimulationConfig config =
        SimulationConfig.builder()
            .seed(21)
            .requestsPerSecond(15)
            .duration(Duration.ofSeconds(60))
            .speed(0)
            .faults(
                FaultSchedule.of(
                    FaultWindow.parse("model-failover@0s+15s*0.5"),
                    FaultWindow.parse("retrieval-failover@0s+15s*0.5"),
                    FaultWindow.parse("edge-mtu-blackhole@15s+15s"),
                    FaultWindow.parse("mesh-tool-timeout@30s+15s"),
                    FaultWindow.parse("stream-interruption@45s+15s")))
            .build();
    CollectingSink truth = new CollectingSink();
    ExportStats stats;
    try (TierscopeSink spans =
        TierscopeSink.create(
            config.seed(), b -> b.endpoint(ingest.httpBaseUrl()).tenant("sim-it"))) {
      Clock start = Clock.fixed(Instant.now().minus(Duration.ofMinutes(3)), ZoneOffset.UTC);
      Simulation.run(config, start, RequestSink.of(spans, truth));
      assertThat(spans.flush(Duration.ofSeconds(30))).isTrue();
      stats = spans.stats();
    }
    int expected = truth.requests.stream().mapToInt(SimulatorIngestIT::spanCount).sum();
    assertThat(truth.requests).hasSizeGreaterThan(600);
    assertThat(stats.ended()).isEqualTo(expected);
    assertThat(stats.exported()).isEqualTo(expected);
    assertThat(stats.lost()).isZero();

    Map<String, List<SpanEvent>> byTrace =
        ingest.awaitSpans(e -> e.getTenant().equals("sim-it"), expected).stream()
            .collect(Collectors.groupingBy(e -> IngestHarness.hex(e.getTraceId())));
    assertThat(byTrace).hasSize(truth.requests.size());

    for (SimulatedRequest r : truth.requests) {
      List<SpanEvent> spans = byTrace.get(r.traceId());
      assertThat(spans).as("spans of " + r.traceId()).hasSize(spanCount(r));
      SpanEvent client = one(spans, Role.ROLE_CLIENT);
      SpanEvent gateway = one(spans, Role.ROLE_GATEWAY);
      SpanEvent model = one(spans, Role.ROLE_MODEL);
      assertThat(client.getService()).isEqualTo(TierscopeSink.CLIENT_SERVICE);
      assertThat(gateway.getService()).isEqualTo(TierscopeSink.GATEWAY_SERVICE);
      assertThat(model.getService()).isEqualTo(r.model().backend().service());
      assertThat(model.getRegion()).isEqualTo(r.model().backend().region());
      assertThat(gateway.getRegion()).isEqualTo(Backend.PRIMARY_REGION);
      assertThat(gateway.getParentSpanId()).isEqualTo(client.getSpanId());
      assertThat(model.getParentSpanId()).isEqualTo(gateway.getSpanId());

      // TTFT and its split (ttft = edge + mesh + model), exactly as the ground truth says.
      long ttft = micros(client.getFirstTokenEpochNanos() - client.getStartEpochNanos());
      long gatewayTtft = micros(gateway.getFirstTokenEpochNanos() - gateway.getStartEpochNanos());
      long modelPart = micros(model.getFirstTokenEpochNanos() - model.getStartEpochNanos());
      assertThat(ttft).isEqualTo(r.ttftMicros());
      assertThat(modelPart).isEqualTo(r.modelMicros());
      assertThat(gatewayTtft - modelPart).isEqualTo(r.meshMicros());
      assertThat(ttft - gatewayTtft).isEqualTo(r.edgeMicros());
      assertThat(model.getModelQueueMicros()).isEqualTo(r.model().queueMicros());

      assertThat(client.getTrafficClass()).isEqualTo(r.trafficClass().value());
      assertThat(client.getWorkflow()).isEqualTo(r.workflow().value());
      assertThat(client.getClientPath()).isEqualTo(r.client().path().value());
      assertThat(client.getProtocolVersion()).isEqualTo(r.protocolVersion());
      assertThat(client.getProtocolFallback()).isEqualTo(r.protocolFallback());
      assertThat(client.getRetransmits()).isEqualTo(r.retransmits());
      assertThat(client.getStreamOutcome()).isEqualTo(wire(r.outcome()));
      assertThat(model.getStreamOutcome()).isEqualTo(wire(r.model().outcome()));
      assertThat(model.getOutputTokens()).isEqualTo(r.model().outputTokens());
      assertThat(micros(client.getEndEpochNanos())).isEqualTo(r.clientEndMicros());

      List<SpanEvent> tools = spans.stream().filter(e -> e.getRole() == Role.ROLE_TOOL).toList();
      assertThat(tools).hasSize(r.tools().size());
      assertThat(tools.stream().anyMatch(SpanEvent::getStatusError)).isEqualTo(r.toolchainFailed());
      if (r.retrieval() != null) {
        SpanEvent retrieval = one(spans, Role.ROLE_RETRIEVAL);
        assertThat(retrieval.getRetrievalHit()).isEqualTo(r.retrieval().hit());
        assertThat(retrieval.getRetrievalFallback()).isEqualTo(r.retrieval().fallback());
        assertThat(retrieval.getService()).isEqualTo(r.retrieval().backend().service());
        assertThat(retrieval.getRegion()).isEqualTo(r.retrieval().backend().region());
        assertThat(retrieval.getParentSpanId()).isEqualTo(gateway.getSpanId());
      }
    }
    // Half of the model calls and retrievals of the first 15 s failed over to the standbys.
    assertThat(truth.requests).anyMatch(r -> r.model().backend().equals(Backend.MODEL_SECONDARY));
    assertThat(truth.requests)
        .anyMatch(r -> r.model().backend().equals(Backend.MODEL_PRIMARY) && !r.faults().isEmpty());
    assertThat(truth.requests)
        .anyMatch(
            r ->
                r.retrieval() != null
                    && r.retrieval().backend().equals(Backend.RETRIEVAL_SECONDARY));
    // The other faults showed: black-holed packets, timed-out tools, broken streams.
    assertThat(truth.requests).anyMatch(r -> r.retransmits() > 1);
    assertThat(truth.requests).anyMatch(SimulatedRequest::toolchainFailed);
    assertThat(truth.requests).anyMatch(r -> r.outcome() == Outcome.INTERRUPTED);
  }

  @Test
  void commandLineSendsToTheIngestWithProgressAndGroundTruth() throws Exception {
    Path dir = Path.of(System.getenv().getOrDefault("TIERSCOPE_TEST_TMP", "target/it-tmp"));
    Files.createDirectories(dir);
    Path truthFile = Files.createTempFile(dir, "simulator-truth-", ".jsonl");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SimulatorCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code =
        cli.execute(
            "--endpoint", ingest.httpBaseUrl(),
            "--tenant", "sim-cli",
            "--seed", "5",
            "--rate", "10",
            "--duration", "60s",
            "--speed", "30",
            "--fault", "edge-latency@20s+20s",
            "--progress", "500ms",
            "--truth", truthFile.toString());
    System.out.println(err);
    System.out.println(out);
    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .contains("Simulated ")
        .contains(" 0 dropped, 0 failed")
        .contains("faults:   edge-latency ");
    assertThat(err.toString())
        .contains("tierscope-simulator: seed 5")
        .containsPattern("\\[ *[0-9.]+s\\] sim .* req, 10/s x1 \\| premium \\d+ standard")
        .contains("| fault: edge-latency (edge)")
        .contains(" 0 dropped, 0 failed");

    List<String> lines = Files.readAllLines(truthFile);
    Set<String> traceIds =
        lines.stream()
            .filter(l -> l.startsWith("{\"type\":\"request\""))
            .map(l -> (String) SimulationTest.parse(l).get("traceId"))
            .collect(Collectors.toSet());
    assertThat(traceIds).hasSizeGreaterThan(400);
    List<SpanEvent> clients =
        ingest.awaitSpans(
            e -> e.getTenant().equals("sim-cli") && e.getRole() == Role.ROLE_CLIENT,
            traceIds.size());
    assertThat(clients)
        .extracting(e -> IngestHarness.hex(e.getTraceId()))
        .containsExactlyInAnyOrderElementsOf(traceIds);
  }
}
