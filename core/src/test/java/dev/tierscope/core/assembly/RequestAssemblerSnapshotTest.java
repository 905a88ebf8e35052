package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static dev.tierscope.core.testing.SpanBuilder.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;

/** The in-flight state survives a checkpoint: snapshot, restore elsewhere, carry on. */
class RequestAssemblerSnapshotTest {

  private static final AssemblyConfig CONFIG = Assemble.config("standard_interactive");

  /** A request that touches every part of the state: key spans, folded spans, class, tokens. */
  private static List<Span> richRequest() {
    return List.of(
        client(1)
            .at(0, 3_000_000)
            .firstTokenAt(900_000)
            .trafficClass("interactive_premium")
            .workflow("support_chat")
            .streamed()
            .outcome(StreamOutcome.INTERRUPTED)
            .transport("sase", "3", true, 2)
            .build(),
        server(2, 1)
            .at(100_000, 2_950_000)
            .firstTokenAt(750_000)
            .streamed()
            .admission(Admission.ADMITTED, 2)
            .build(),
        span(10)
            .parent(2)
            .role(SpanRole.RETRIEVAL)
            .at(120_000, 200_000)
            .retrieval(false, true)
            .build(),
        server(11, 2).operation("retrieval").at(200_000, 260_000).retrieval(true, false).build(),
        span(12)
            .parent(2)
            .role(SpanRole.TOOL)
            .at(260_000, 300_000)
            .error()
            .trafficClass("deferred_batch")
            .build(),
        span(13).parent(2).role(SpanRole.POLICY).at(300_000, 310_000).build(),
        server(3, 2)
            .operation("chat")
            .at(320_000, 2_900_000)
            .firstTokenAt(700_000)
            .queueMicros(120_000)
            .tokens(1_200, 350)
            .build(),
        span(4)
            .parent(3)
            .role(SpanRole.MODEL)
            .kind(SpanKind.INTERNAL)
            .at(330_000, 2_800_000)
            .firstTokenAt(690_000)
            .queueMicros(40_000)
            .classUnknown()
            .build());
  }

  @Test
  void restoredAssemblerFinishesTheRequestLikeAnUninterruptedOne() {
    List<Span> spans = richRequest();
    RequestSummary uninterrupted = Assemble.summaryOf(CONFIG, spans);

    RequestAssembler before = new RequestAssembler(CONFIG);
    spans.subList(0, 4).forEach(before::add);
    byte[] snapshot = before.snapshot();
    RequestAssembler after = new RequestAssembler(CONFIG);
    after.restore(snapshot);
    spans.subList(4, spans.size()).forEach(after::add);

    RequestSummary restored = Assemble.complete(after, CONFIG);

    assertThat(restored).isEqualTo(uninterrupted);
    // the request really had content on both sides of the snapshot
    assertThat(restored.retrievals()).isEqualTo(2);
    assertThat(restored.toolchainFailed()).isTrue();
    assertThat(restored.modelMicros()).isEqualTo(360_000);
    assertThat(restored.edgeMicros()).isEqualTo(250_000);
    assertThat(restored.classUnknown()).isTrue();
    assertThat(restored.trafficClass())
        .as("root class seen before the snapshot")
        .isEqualTo("interactive_premium");
    assertThat(restored.partial()).isFalse();
    assertThat(restored.admission())
        .as("reported before the snapshot")
        .isEqualTo(Admission.ADMITTED);
    assertThat(restored.degradationLevel()).isEqualTo(2);
  }

  @Test
  void aVersion4SnapshotWrittenBeforeAdmissionControlStillRestores() {
    RequestAssembler before = new RequestAssembler(CONFIG);
    before.add(client(1).at(0, 50_000).admission(Admission.SHED, 0).build());
    byte[] v7 = SnapshotVersions.v8ToV7(before.snapshot(), 1);
    // v7 -> v6: the request's slowest retrieval (its service, an empty string of 2 bytes, and its
    // duration, -1 in 8 bytes) goes; it follows the request's admission and degradation level and
    // comes before the evicted count and the recent traces' count (4 bytes each).
    assertThat(Arrays.copyOfRange(v7, v7.length - 18, v7.length - 8))
        .containsExactly(0, 0, -1, -1, -1, -1, -1, -1, -1, -1);
    byte[] v6 = new byte[v7.length - 10];
    System.arraycopy(v7, 0, v6, 0, v7.length - 18);
    System.arraycopy(v7, v7.length - 8, v6, v7.length - 18, 8);
    v6[0] = AssemblySnapshotCodec.VERSION_6;
    // v6 -> v5: the key span's four breakdown strings (empty, 2 bytes each) go; they end the key
    // span, before the request's admission and degradation level (2 bytes) and the two counts
    assertThat(Arrays.copyOfRange(v6, v6.length - 18, v6.length - 10)).containsOnly((byte) 0);
    byte[] v5 = new byte[v6.length - 8];
    System.arraycopy(v6, 0, v5, 0, v6.length - 18);
    System.arraycopy(v6, v6.length - 10, v5, v6.length - 18, 10);
    v5[0] = AssemblySnapshotCodec.VERSION_5;
    // v4 lacks the two bytes at the end of each request; here one request, then the empty evicted
    // list and the empty recently completed traces (two ints of 0)
    assertThat(Arrays.copyOfRange(v5, v5.length - 8, v5.length)).containsOnly((byte) 0);
    byte[] v4 = new byte[v5.length - 2];
    System.arraycopy(v5, 0, v4, 0, v5.length - 10);
    System.arraycopy(v5, v5.length - 8, v4, v5.length - 10, 8);
    v4[0] = AssemblySnapshotCodec.VERSION_4;

    RequestAssembler after = new RequestAssembler(CONFIG);
    after.restore(v4);
    RequestSummary r = Assemble.complete(after, CONFIG);
    assertThat(r.traceId()).isEqualTo(client(1).build().traceId());
    assertThat(r.admission()).isEqualTo(Admission.NONE);
    assertThat(r.degradationLevel()).isEqualTo(-1);

    RequestAssembler fromV5 = new RequestAssembler(CONFIG);
    fromV5.restore(v5);
    assertThat(Assemble.complete(fromV5, CONFIG).admission()).isEqualTo(Admission.SHED);

    RequestAssembler fromV6 = new RequestAssembler(CONFIG);
    fromV6.restore(v6);
    assertThat(Assemble.complete(fromV6, CONFIG).admission()).isEqualTo(Admission.SHED);

    RequestAssembler current = new RequestAssembler(CONFIG);
    current.restore(v7);
    assertThat(Assemble.complete(current, CONFIG).admission()).isEqualTo(Admission.SHED);
  }

  @Test
  void restoreCarriesStreamTimeAndRequestsInFlight() {
    RequestAssembler before = new RequestAssembler(defaults());
    before.add(client(1).trace(1).at(0, 3_000_000).build());
    before.add(client(1).trace(2).at(0, 4_000_000).build());

    RequestAssembler after = new RequestAssembler(defaults());
    after.restore(before.snapshot());

    assertThat(after.inFlight()).isEqualTo(2);
    assertThat(after.streamTimeMicros()).isEqualTo(T0 + 4_000_000);
  }

  @Test
  void restoredStreamTimeStillDecidesLateness() {
    RequestAssembler before = new RequestAssembler(defaults());
    before.add(client(1).trace(1).at(0, 300_000_000).build());
    RequestAssembler after = new RequestAssembler(defaults());
    after.restore(before.snapshot());

    Span late = span(2).trace(2).at(0, 1_000).build();

    assertThat(after.add(late)).isEqualTo(RequestAssembler.AddResult.LATE);
    assertThat(after.lateSpans()).isEqualTo(1);
  }

  @Test
  void evictedRequestsNotYetDrainedSurviveTheSnapshot() {
    AssemblyConfig capOfOne =
        new AssemblyConfig(
            Duration.ofSeconds(5),
            Duration.ofMinutes(10),
            Duration.ofMinutes(2),
            1,
            "deferred_batch");
    RequestAssembler before = new RequestAssembler(capOfOne);
    before.add(client(1).trace(1).at(0, 1_000).build());
    before.add(client(1).trace(2).at(0, 2_000).build()); // evicts trace 1, not drained

    RequestAssembler after = new RequestAssembler(capOfOne);
    after.restore(before.snapshot());
    List<RequestSummary> out = new ArrayList<>();

    assertThat(after.drainCompleted(out::add)).isEqualTo(1);
    assertThat(out)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.traceId()).isEqualTo(client(1).trace(1).build().traceId());
              assertThat(r.partial()).isTrue();
            });
    assertThat(after.inFlight()).isEqualTo(1);
  }

  @ParameterizedTest
  @NullAndEmptySource
  void restoreWithoutSnapshotGivesAnEmptyAssembler(byte[] snapshot) {
    RequestAssembler assembler = new RequestAssembler(defaults());
    assembler.add(client(1).trace(1).at(0, 1_000).build());

    assembler.restore(snapshot);

    assertThat(assembler.inFlight()).isZero();
    assertThat(assembler.streamTimeMicros()).isEqualTo(Long.MIN_VALUE);
    assertThat(assembler.drainCompleted(r -> {})).isZero();
  }

  @Test
  void snapshotOfEmptyAssemblerRestoresToEmpty() {
    RequestAssembler after = new RequestAssembler(defaults());
    after.add(client(1).trace(1).at(0, 1_000).build());

    after.restore(new RequestAssembler(defaults()).snapshot());

    assertThat(after.inFlight()).isZero();
    assertThat(after.streamTimeMicros()).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void snapshotWithUnknownVersionIsRefused() {
    RequestAssembler before = new RequestAssembler(defaults());
    before.add(client(1).at(0, 1_000).build());
    byte[] snapshot = before.snapshot();
    snapshot[0] = 99;

    RequestAssembler after = new RequestAssembler(defaults());

    assertThatThrownBy(() -> after.restore(snapshot))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "assembly snapshot version 99 is not supported (expected "
                + AssemblySnapshotCodec.VERSION
                + ")");
    assertThat(after.inFlight()).isZero();
  }

  @Test
  void snapshotOfAnOlderUnknownVersionIsRefusedRatherThanMisread() {
    RequestAssembler before = new RequestAssembler(defaults());
    before.add(client(1).at(0, 1_000).build());
    byte[] snapshot = before.snapshot();
    snapshot[0] = (byte) (AssemblySnapshotCodec.VERSION_2 - 1);

    assertThatThrownBy(() -> new RequestAssembler(defaults()).restore(snapshot))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not supported");
  }

  @Test
  void truncatedSnapshotIsRefused() {
    RequestAssembler before = new RequestAssembler(defaults());
    before.add(client(1).at(0, 1_000).build());
    byte[] snapshot = before.snapshot();
    byte[] truncated = Arrays.copyOf(snapshot, snapshot.length - 5);

    RequestAssembler after = new RequestAssembler(defaults());

    assertThatThrownBy(() -> after.restore(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("assembly snapshot is truncated or corrupt");
  }

  @Test
  void requestWithManyKeySpansSurvivesTheSnapshot() {
    List<Span> spans = new ArrayList<>();
    spans.add(client(1).at(0, 3_000_000).firstTokenAt(900_000).build());
    spans.add(server(2, 1).at(100_000, 2_950_000).firstTokenAt(750_000).build());
    for (long id = 100; id < 100 + 32_766; id++) {
      spans.add(server(id, 2).at(150_000, 160_000).build());
    }
    // Beyond the default per-trace cap on purpose: what matters here is the snapshot's format.
    AssemblyConfig uncapped = CONFIG.withTraceCaps(40_000, Long.MAX_VALUE);
    RequestSummary uninterrupted = Assemble.summaryOf(uncapped, spans);

    RequestAssembler before = new RequestAssembler(uncapped);
    spans.forEach(before::add);
    RequestAssembler after = new RequestAssembler(uncapped);
    after.restore(before.snapshot());

    assertThat(Assemble.complete(after, uncapped)).isEqualTo(uninterrupted);
  }

  private static AssemblyConfig defaults() {
    return new AssemblyConfig(
        Duration.ofSeconds(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(2),
        100,
        "standard_interactive");
  }
}
