package dev.tierscope.simulator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.FaultWindow;
import dev.tierscope.simulator.LoadShape;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.Workflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Command-line options become the configuration they name; bad ones are usage errors. */
class SimulatorCommandTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static SimulatorCommand parse(String... args) {
    SimulatorCommand command = new SimulatorCommand(Clock.fixed(NOW, ZoneOffset.UTC));
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void optionsBecomeTheConfiguration() {
    SimulationConfig c =
        parse(
                "--seed", "9",
                "--rate", "50",
                "--multiplier", "3",
                "--mix", "premium=1,batch=1",
                "--workflows", "premium:rag=3,agent=1",
                "--profile", "incident-spike",
                "--profile-period", "20m",
                "--fault", "edge-vpn@2m+3m",
                "--fault", "model-slow-prefill@6m+1m*2",
                "--duration", "30m",
                "--speed", "0")
            .config();
    assertThat(c.seed()).isEqualTo(9);
    assertThat(c.rateAt(Duration.ZERO)).isEqualTo(150.0);
    assertThat(c.classMix())
        .containsOnlyKeys(TrafficClass.INTERACTIVE_PREMIUM, TrafficClass.DEFERRED_BATCH);
    assertThat(c.workflowMix().get(TrafficClass.INTERACTIVE_PREMIUM))
        .containsEntry(Workflow.RAG, 0.75)
        .containsEntry(Workflow.AGENT, 0.25);
    assertThat(c.loadShape()).isEqualTo(LoadShape.INCIDENT_SPIKE);
    assertThat(c.loadPeriod()).isEqualTo(Duration.ofMinutes(20));
    assertThat(c.faults().windows())
        .containsExactly(
            FaultWindow.of(FaultKind.EDGE_VPN, Duration.ofMinutes(2), Duration.ofMinutes(3)),
            new FaultWindow(
                FaultKind.MODEL_SLOW_PREFILL, Duration.ofMinutes(6), Duration.ofMinutes(1), 2));
    assertThat(c.duration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.speed()).isZero();
  }

  @Test
  void capacitySurgeAndClosedLoopOptions() {
    SimulationConfig c =
        parse(
                "--model-capacity", "auto",
                "--surge", "5m+5m*3",
                "--surge-mix", "premium=0.2,standard=0.4,batch=0.4",
                "--duration", "15m")
            .config();
    assertThat(c.modelCapacity())
        .isEqualTo(SimulationConfig.builder().build().capacityFor(0.5))
        .isBetween(400, 520);
    assertThat(c.rateAt(Duration.ofMinutes(4))).isEqualTo(20.0);
    assertThat(c.rateAt(Duration.ofMinutes(6))).isEqualTo(60.0);
    assertThat(c.rateAt(Duration.ofMinutes(10))).isEqualTo(20.0);
    assertThat(c.classMixAt(Duration.ofMinutes(6)))
        .containsEntry(TrafficClass.INTERACTIVE_PREMIUM, 0.2)
        .containsEntry(TrafficClass.DEFERRED_BATCH, 0.4);
    assertThat(c.classMixAt(Duration.ofMinutes(11))).isEqualTo(c.classMix());
    assertThat(parse("--model-capacity", "300").config().modelCapacity()).isEqualTo(300);
    assertThat(parse().config().capacityLimited()).isFalse();
    for (String[] bad :
        new String[][] {
          {"--model-capacity", "0"},
          {"--model-capacity", "lots"},
          {"--surge", "5m*3"},
          {"--surge-mix", "premium=1"},
          {"--admission-endpoint", "http://127.0.0.1:1"},
          {"--admission-endpoint", "http://127.0.0.1:1", "--model-capacity", "10", "--speed", "0"}
        }) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(bad).config())
          .as(String.join(" ", bad))
          .isInstanceOf(CommandLine.ParameterException.class);
    }
  }

  @Test
  void faultCycleRepeatsWithHealthyGaps() {
    SimulationConfig c =
        parse(
                "--fault-cycle",
                "edge-loss,mesh-policy-latency",
                "--healthy",
                "1m",
                "--faulted",
                "30s")
            .config();
    assertThat(c.faults().period()).isEqualTo(Duration.ofMinutes(3));
    assertThat(c.faults().activeAt(Duration.ofSeconds(70)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.EDGE_LOSS);
    assertThat(c.faults().activeAt(Duration.ofSeconds(160)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.MESH_POLICY_LATENCY);
  }

  @Test
  void autoStartKeepsSpansOutOfTheFuture() {
    SimulatorCommand realTime = parse("--duration", "10m");
    assertThat(realTime.startInstant(realTime.config())).isEqualTo(NOW);
    SimulatorCommand asFastAsPossible = parse("--duration", "10m", "--speed", "0");
    assertThat(asFastAsPossible.startInstant(asFastAsPossible.config()))
        .isEqualTo(NOW.minus(Duration.ofMinutes(10)));
    // 10 simulated minutes at 10x take one real minute: start 9 minutes back.
    SimulatorCommand tenTimes = parse("--duration", "10m", "--speed", "10");
    assertThat(tenTimes.startInstant(tenTimes.config()))
        .isEqualTo(NOW.minus(Duration.ofMinutes(9)));
    SimulatorCommand explicit = parse("--start", "2026-01-01T00:00:00Z");
    assertThat(explicit.startInstant(explicit.config()))
        .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
  }

  private static String usageError(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = SimulatorCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    // Should parsing ever let a bad option through, this run stays short and writes nothing.
    String[] safe = {"--dry-run", "--no-truth", "--progress", "0", "--speed", "0"};
    String[] all =
        java.util.stream.Stream.concat(java.util.Arrays.stream(safe), java.util.Arrays.stream(args))
            .toArray(String[]::new);
    assertThat(cli.execute(all)).as(String.join(" ", args)).isEqualTo(2);
    return err.toString();
  }

  @Test
  void badOptionsAreUsageErrorsNamingTheOption() {
    assertThat(usageError("--fault", "edge-wobble@1m+1m")).contains("unknown fault 'edge-wobble'");
    assertThat(usageError("--profile", "weekly")).contains("--profile").contains("daily-cycle");
    assertThat(usageError("--duration", "soon")).contains("--duration");
    assertThat(usageError("--mix", "gold=1")).contains("--mix: unknown class 'gold'");
    assertThat(usageError("--protocol", "http/json")).contains("--protocol");
    assertThat(usageError("--rate", "0")).contains("rate must be positive");
  }

  @Test
  void dryRunWritesTheGroundTruthAndSendsNothing(@TempDir Path dir) throws Exception {
    Path truth = dir.resolve("truth.jsonl");
    StringWriter out = new StringWriter();
    CommandLine cli = SimulatorCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    int code =
        cli.execute(
            "--dry-run",
            "--speed",
            "0",
            "--duration",
            "2m",
            "--progress",
            "0",
            "--truth",
            truth.toString());
    assertThat(code).isZero();
    assertThat(out.toString()).contains("Simulated 2m00s of traffic").doesNotContain("spans:");
    assertThat(Files.readAllLines(truth)).hasSizeGreaterThan(2000);
  }

  @Test
  void listsTheFaults() {
    StringWriter out = new StringWriter();
    CommandLine cli = SimulatorCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute("--list-faults")).isZero();
    for (FaultKind k : FaultKind.values()) {
      assertThat(out.toString()).contains(k.value());
    }
  }
}
