package dev.tierscope.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fault windows as typed on the command line, and schedules played once or in a cycle. */
class FaultScheduleTest {

  @Test
  void parsesTheCommandLineSpec() {
    FaultWindow w = FaultWindow.parse("model-queue-saturation@30s+1m30s*1.5");
    assertThat(w.kind()).isEqualTo(FaultKind.MODEL_QUEUE_SATURATION);
    assertThat(w.start()).isEqualTo(Duration.ofSeconds(30));
    assertThat(w.duration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(w.intensity()).isEqualTo(1.5);
    assertThat(FaultWindow.parse(w.toString())).isEqualTo(w);
    assertThat(FaultWindow.parse("EDGE_VPN@2m+3m").kind()).isEqualTo(FaultKind.EDGE_VPN);
    assertThatThrownBy(() -> FaultWindow.parse("edge-vpn 2m"))
        .hasMessageContaining("KIND@START+DURATION");
    assertThatThrownBy(() -> FaultWindow.parse("edge-wobble@1m+1m"))
        .hasMessageContaining("unknown fault 'edge-wobble'")
        .hasMessageContaining("edge-mtu-blackhole");
    assertThatThrownBy(() -> FaultWindow.parse("edge-vpn@1m+0s")).hasMessageContaining("duration");
  }

  @Test
  void parsesDurations() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("2.5s")).isEqualTo(Duration.ofMillis(2500));
    assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(Durations.parse("PT2M")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("45")).isEqualTo(Duration.ofSeconds(45));
    assertThatThrownBy(() -> Durations.parse("2 weeks")).hasMessageContaining("invalid duration");
    assertThat(Durations.format(Duration.ofSeconds(3723))).isEqualTo("1h02m03s");
  }

  @Test
  void activeAtCoversStartButNotEnd() {
    FaultSchedule s =
        FaultSchedule.of(
            FaultWindow.parse("edge-loss@1m+1m"), FaultWindow.parse("mesh-policy-latency@90s+1m"));
    assertThat(s.activeAt(Duration.ofSeconds(59))).isEmpty();
    assertThat(s.activeAt(Duration.ofSeconds(60)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.EDGE_LOSS);
    assertThat(s.activeAt(Duration.ofSeconds(100)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.EDGE_LOSS, FaultKind.MESH_POLICY_LATENCY);
    assertThat(s.activeAt(Duration.ofSeconds(120)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.MESH_POLICY_LATENCY);
    assertThat(s.activeAt(Duration.ofSeconds(150))).isEmpty();
  }

  @Test
  void cycleRepeatsHealthyAndOneFaultPerTier() {
    FaultSchedule s =
        FaultSchedule.cycle(
            Duration.ofMinutes(2),
            Duration.ofMinutes(1),
            List.of(FaultKind.EDGE_VPN, FaultKind.MESH_TOOL_TIMEOUT, FaultKind.MODEL_SLOW_PREFILL));
    assertThat(s.period()).isEqualTo(Duration.ofMinutes(9));
    assertThat(s.activeAt(Duration.ofSeconds(30))).isEmpty();
    assertThat(s.activeAt(Duration.ofMinutes(2)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.EDGE_VPN);
    assertThat(s.activeAt(Duration.ofMinutes(5).plusSeconds(10)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.MESH_TOOL_TIMEOUT);
    assertThat(s.activeAt(Duration.ofMinutes(8).plusSeconds(59)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.MODEL_SLOW_PREFILL);
    // Second pass.
    assertThat(s.activeAt(Duration.ofMinutes(11).plusSeconds(1)))
        .extracting(FaultWindow::kind)
        .containsExactly(FaultKind.EDGE_VPN);
    assertThat(s.transitionsBetween(Duration.ofMinutes(8), Duration.ofMinutes(12)))
        .extracting(t -> t.window().kind() + (t.on() ? " on @" : " off @") + t.at().toMinutes())
        .containsExactly("MODEL_SLOW_PREFILL off @9", "EDGE_VPN on @11", "EDGE_VPN off @12");
  }

  @Test
  void repeatingNeedsAPeriodThatCoversEveryWindow() {
    FaultSchedule once = FaultSchedule.of(FaultWindow.parse("edge-loss@1m+2m"));
    assertThat(once.repeatEvery(Duration.ofMinutes(5)).activeAt(Duration.ofMinutes(6))).hasSize(1);
    assertThatThrownBy(() -> once.repeatEvery(Duration.ofMinutes(2)))
        .hasMessageContaining("ends after the repeat period");
  }
}
