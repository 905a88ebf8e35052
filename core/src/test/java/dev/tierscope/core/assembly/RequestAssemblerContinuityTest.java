package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.span.StreamOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request's stream continuity: the outermost span that measured it, the break and its cause. */
class RequestAssemblerContinuityTest {

  private static final AssemblyConfig CONFIG = Assemble.config("standard_interactive");

  @Test
  void theClientsViewOfTheGapsWins() {
    RequestSummary r =
        Assemble.summaryOf(
            client(1)
                .at(0, 9_000_000)
                .firstTokenAt(400_000)
                .streamed()
                .continuity(2_500_000, 2)
                .build(),
            server(2, 1)
                .at(50_000, 8_900_000)
                .firstTokenAt(300_000)
                .streamed()
                .continuity(900_000, 0)
                .build());
    assertThat(r.streamMaxGapMicros()).isEqualTo(2_500_000);
    assertThat(r.streamStalls()).isEqualTo(2);
    assertThat(r.interruptionCause()).isEqualTo(InterruptionCause.NONE);
    assertThat(r.streamCutAfterMicros()).isEqualTo(-1);
  }

  @Test
  void aGatewayFillsWhatTheClientDidNotMeasure() {
    RequestSummary r =
        Assemble.summaryOf(
            client(1).at(0, 9_000_000).firstTokenAt(400_000).streamed().build(),
            server(2, 1).at(50_000, 8_900_000).streamed().continuity(900_000, 0).build());
    assertThat(r.streamMaxGapMicros()).isEqualTo(900_000);
    assertThat(r.streamStalls()).isZero();
  }

  @Test
  void anInterruptionIsCutWhereTheReportingSpanEndedWithTheGatewaysCause() {
    // The client saw the stream break 60 s in (an idle timeout of a proxy); only the gateway knew
    // why.
    RequestSummary r =
        Assemble.summaryOf(
            client(1)
                .at(0, 60_000_000)
                .firstTokenAt(400_000)
                .streamed()
                .outcome(StreamOutcome.INTERRUPTED)
                .build(),
            server(2, 1)
                .at(50_000, 59_990_000)
                .streamed()
                .outcome(StreamOutcome.INTERRUPTED)
                .cause(InterruptionCause.IDLE_TIMEOUT)
                .build());
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.INTERRUPTED);
    assertThat(r.interruptionCause()).isEqualTo(InterruptionCause.IDLE_TIMEOUT);
    assertThat(r.streamCutAfterMicros()).isEqualTo(60_000_000);
  }

  @Test
  void aCancelIsCutButHasNoCause() {
    RequestSummary r =
        Assemble.summaryOf(
            client(1)
                .at(0, 4_000_000)
                .firstTokenAt(400_000)
                .streamed()
                .outcome(StreamOutcome.CANCELLED)
                .build());
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.CANCELLED);
    assertThat(r.interruptionCause()).isEqualTo(InterruptionCause.NONE);
    assertThat(r.streamCutAfterMicros()).isEqualTo(4_000_000);
  }

  @Test
  void anInterruptionOnlyTheGatewaySawIsCutAtTheGateway() {
    RequestSummary r =
        Assemble.summaryOf(
            client(1).at(0, 9_000_000).firstTokenAt(400_000).streamed().build(),
            server(2, 1)
                .at(1_000_000, 4_000_000)
                .streamed()
                .outcome(StreamOutcome.INTERRUPTED)
                .cause(InterruptionCause.UPSTREAM_RESET)
                .build());
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.INTERRUPTED);
    assertThat(r.interruptionCause()).isEqualTo(InterruptionCause.UPSTREAM_RESET);
    assertThat(r.streamCutAfterMicros()).isEqualTo(3_000_000);
  }

  @Test
  void anUnstreamedRequestHasNoContinuity() {
    RequestSummary r = Assemble.summaryOf(client(1).at(0, 1_000_000).continuity(5_000, 0).build());
    assertThat(r.streamMaxGapMicros()).isEqualTo(-1);
    assertThat(r.streamStalls()).isEqualTo(-1);
  }

  @Test
  void continuitySurvivesASnapshot() {
    RequestAssembler before = new RequestAssembler(CONFIG);
    before.add(
        client(1)
            .at(0, 61_000_000)
            .firstTokenAt(400_000)
            .streamed()
            .outcome(StreamOutcome.INTERRUPTED)
            .cause(InterruptionCause.NETWORK)
            .continuity(3_000_000, 4)
            .build());
    RequestAssembler after = new RequestAssembler(CONFIG);
    after.restore(before.snapshot());
    RequestSummary r = Assemble.complete(after, CONFIG);
    assertThat(r.streamMaxGapMicros()).isEqualTo(3_000_000);
    assertThat(r.streamStalls()).isEqualTo(4);
    assertThat(r.interruptionCause()).isEqualTo(InterruptionCause.NETWORK);
    assertThat(r.streamCutAfterMicros()).isEqualTo(61_000_000);
  }

  @Test
  void aVersion7SnapshotWrittenBeforeStreamContinuityStillRestores() {
    RequestAssembler before = new RequestAssembler(CONFIG);
    before.add(
        client(1)
            .at(0, 61_000_000)
            .firstTokenAt(400_000)
            .streamed()
            .outcome(StreamOutcome.INTERRUPTED)
            .cause(InterruptionCause.NETWORK)
            .continuity(3_000_000, 4)
            .build());
    byte[] v7 = SnapshotVersions.v8ToV7(before.snapshot(), 1);

    RequestAssembler after = new RequestAssembler(CONFIG);
    after.restore(v7);
    RequestSummary r = Assemble.complete(after, CONFIG);
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.INTERRUPTED);
    assertThat(r.interruptionCause())
        .as("a version 7 snapshot knew no cause")
        .isEqualTo(InterruptionCause.UNKNOWN);
    assertThat(r.streamMaxGapMicros()).isEqualTo(-1);
    assertThat(r.streamStalls()).isEqualTo(-1);
    assertThat(r.streamCutAfterMicros()).isEqualTo(61_000_000);
    assertThat(List.of(r.traceId())).containsExactly(client(1).build().traceId());
  }
}
