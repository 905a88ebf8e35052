package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static dev.tierscope.core.testing.SpanBuilder.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.assembly.RequestAssembler.AddResult;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.TraceId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Early completion: a request whose root span and every span named as a parent arrived completes
 * after the settle time instead of the grace; a parent missing holds it to the grace; a span of it
 * arriving afterwards is late, and the request is counted once.
 */
class RequestAssemblerEarlyCompletionTest {

  private static final long GRACE = 5_000_000;
  private static final long SETTLE = 1_000_000;

  /** Root (client span) ends here, microseconds after T0. */
  private static final long ROOT_END = 3_000_000;

  private static final AssemblyConfig OFF =
      new AssemblyConfig(
          Duration.ofMillis(GRACE / 1_000),
          Duration.ofMinutes(10),
          Duration.ofMinutes(2),
          100,
          "standard_interactive");

  private static final AssemblyConfig ON = OFF.withEarlyCompletion(Duration.ofMillis(1_000));

  private final List<RequestSummary> emitted = new ArrayList<>();

  private static Span clientSpan(long trace) {
    return client(1).trace(trace).at(0, ROOT_END).firstTokenAt(900_000).streamed().build();
  }

  private static Span gateway(long trace) {
    return server(2, 1).trace(trace).at(100_000, 2_950_000).firstTokenAt(850_000).build();
  }

  private static Span model(long trace) {
    return span(3)
        .trace(trace)
        .parent(2)
        .role(SpanRole.MODEL)
        .kind(SpanKind.CLIENT)
        .at(200_000, 2_900_000)
        .firstTokenAt(700_000)
        .build();
  }

  private static Span tool(long trace, long id, long endOffset) {
    return span(id).trace(trace).parent(2).role(SpanRole.TOOL).at(150_000, endOffset).build();
  }

  private int drainAt(RequestAssembler a, long offsetMicros) {
    a.advanceStreamTime(T0 + offsetMicros);
    return a.drainCompleted(emitted::add);
  }

  @Test
  void completesAfterTheSettleTimeWhenTheRootAndEveryNamedParentArrived() {
    RequestAssembler a = new RequestAssembler(ON);
    // Children end first and usually arrive first: the model names the gateway, the gateway the
    // client span, both missing until the last span arrives.
    assertThat(a.add(model(1))).isEqualTo(AddResult.ASSEMBLED);
    assertThat(a.add(gateway(1))).isEqualTo(AddResult.ASSEMBLED);
    assertThat(a.add(clientSpan(1))).isEqualTo(AddResult.ASSEMBLED);

    assertThat(drainAt(a, ROOT_END)).isZero();
    assertThat(drainAt(a, ROOT_END + SETTLE - 1)).as("before the settle time").isZero();
    assertThat(drainAt(a, ROOT_END + SETTLE + 500_000)).isEqualTo(1);

    assertThat(ROOT_END + SETTLE + 500_000).isLessThan(ROOT_END + GRACE);
    RequestSummary r = emitted.get(0);
    assertThat(r.partial()).isFalse();
    assertThat(r.ttftVantage()).isEqualTo(Vantage.CLIENT);
    assertThat(r.ttftMicros()).isEqualTo(900_000);
    assertThat(r.edgeMicros()).isEqualTo(150_000);
    assertThat(r.modelMicros()).isEqualTo(500_000);
    assertThat(a.completedEarly()).isEqualTo(1);
    assertThat(a.inFlight()).isZero();
  }

  @Test
  void aGatewayRootWithoutAClientSpanCompletesEarlyToo() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(model(1));
    a.add(server(2, 0).trace(1).at(100_000, ROOT_END).firstTokenAt(850_000).build());

    assertThat(drainAt(a, ROOT_END + SETTLE)).isEqualTo(1);

    assertThat(emitted.get(0).partial()).isFalse();
    assertThat(emitted.get(0).ttftVantage()).isEqualTo(Vantage.GATEWAY);
  }

  @Test
  void aMissingParentHoldsTheRequestToTheGrace() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(clientSpan(1));
    a.add(model(1)); // names the gateway (2), which never arrives

    assertThat(drainAt(a, ROOT_END + SETTLE)).isZero();
    assertThat(drainAt(a, ROOT_END + GRACE - 600_000)).as("the grace is still the bound").isZero();
    assertThat(drainAt(a, ROOT_END + GRACE)).isEqualTo(1);

    assertThat(emitted.get(0).partial()).isFalse();
    assertThat(a.completedEarly()).isZero();
  }

  @Test
  void withoutItsRootARequestWaitsAsBefore() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(gateway(1)); // names the client span, which never arrives
    a.add(model(1));

    assertThat(drainAt(a, ROOT_END + GRACE + SETTLE)).isZero();
    assertThat(a.inFlight()).isEqualTo(1);
  }

  @Test
  void theSettleTimeCountsFromTheLatestSpanThatArrived() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(model(1));
    a.add(gateway(1));
    a.add(clientSpan(1));
    assertThat(drainAt(a, ROOT_END + 800_000)).isZero();

    // A tool span arrives late (exported in a later batch); its end is long past, stream time is
    // not: the settle time starts again from now.
    assertThat(a.add(tool(1, 4, 1_000_000))).isEqualTo(AddResult.ASSEMBLED);
    assertThat(drainAt(a, ROOT_END + 800_000 + SETTLE - 1)).isZero();
    assertThat(drainAt(a, ROOT_END + 800_000 + SETTLE + 500_000)).isEqualTo(1);

    assertThat(emitted.get(0).toolCalls()).isEqualTo(1);
  }

  @Test
  void aMissingParentThatArrivesLaterReleasesTheRequest() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(clientSpan(1));
    a.add(model(1));
    assertThat(drainAt(a, ROOT_END + SETTLE + 500_000)).isZero();

    a.add(gateway(1));
    assertThat(drainAt(a, ROOT_END + 2 * SETTLE + 500_000)).isEqualTo(1);

    assertThat(emitted.get(0).edgeMicros()).as("the gateway was assembled").isEqualTo(150_000);
    assertThat(a.completedEarly()).isEqualTo(1);
  }

  @Test
  void aSpanArrivingAfterEarlyCompletionIsLateAndTheRequestCountedOnce() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(model(1));
    a.add(gateway(1));
    a.add(clientSpan(1));
    assertThat(drainAt(a, ROOT_END + SETTLE)).isEqualTo(1);

    // A tool span (a leaf: nothing names it as a parent) was exported in a later batch.
    assertThat(a.add(tool(1, 4, 2_000_000))).isEqualTo(AddResult.LATE);
    // An asynchronous child that ended after the root, also later than the completion.
    assertThat(a.add(tool(1, 5, ROOT_END + SETTLE + 100_000))).isEqualTo(AddResult.LATE);

    assertThat(a.lateSpans()).isEqualTo(2);
    assertThat(a.inFlight()).isZero();
    assertThat(drainAt(a, ROOT_END + 20 * 60_000_000L)).as("past max age: nothing more").isZero();
    assertThat(emitted).hasSize(1);
    assertThat(emitted.get(0).toolCalls()).as("completed without its tool spans").isZero();
  }

  @Test
  void aRootThatArrivesFirstDoesNotCompleteTheRequestAlone() {
    RequestAssembler a = new RequestAssembler(ON);
    // The client app's batch came first: its span names no parent, and nothing names it yet.
    a.add(clientSpan(1));
    assertThat(drainAt(a, ROOT_END + SETTLE + 500_000)).isZero();
    // The gateway's batch: every named parent arrived, but the model span has not.
    a.add(tool(1, 4, 2_000_000));
    a.add(gateway(1));
    assertThat(drainAt(a, ROOT_END + 2 * SETTLE + 500_000)).isZero();
    // The model runtime's batch.
    a.add(model(1));
    assertThat(drainAt(a, ROOT_END + 3 * SETTLE + 500_000)).isEqualTo(1);

    assertThat(emitted.get(0).toolCalls()).isEqualTo(1);
    assertThat(emitted.get(0).modelMicros()).isEqualTo(500_000);
    assertThat(a.lateSpans()).isZero();
  }

  @Test
  void aRequestWithoutAModelSpanWaitsForTheGrace() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(gateway(1)); // shed at the gateway: no model call
    a.add(clientSpan(1));

    assertThat(drainAt(a, ROOT_END + 2 * SETTLE)).isZero();
    assertThat(drainAt(a, ROOT_END + GRACE)).isEqualTo(1);
    assertThat(a.completedEarly()).isZero();
  }

  @Test
  void aClientCallingTheModelDirectlyCompletesEarly() {
    RequestAssembler a = new RequestAssembler(ON);
    a.add(clientSpan(1));
    // No gateway: the model span is the span under the client root.
    a.add(span(3).trace(1).parent(1).role(SpanRole.MODEL).at(200_000, 2_900_000).build());

    assertThat(drainAt(a, ROOT_END + SETTLE)).isEqualTo(1);
    assertThat(a.completedEarly()).isEqualTo(1);
  }

  @Test
  void offIsTodaysBehaviourAndBothGiveTheSameSummary() {
    RequestAssembler off = new RequestAssembler(OFF);
    RequestAssembler on = new RequestAssembler(ON);
    List<RequestSummary> fromOff = new ArrayList<>();
    for (Span s : List.of(model(1), gateway(1), clientSpan(1), tool(1, 4, 2_000_000))) {
      off.add(s);
      on.add(s);
    }

    off.advanceStreamTime(T0 + ROOT_END + 2 * SETTLE);
    assertThat(off.drainCompleted(fromOff::add)).as("off: no completion before the grace").isZero();
    assertThat(drainAt(on, ROOT_END + 2 * SETTLE)).isEqualTo(1);
    off.advanceStreamTime(T0 + ROOT_END + GRACE);
    assertThat(off.drainCompleted(fromOff::add)).isEqualTo(1);

    assertThat(emitted.get(0)).isEqualTo(fromOff.get(0));
    assertThat(off.completedEarly()).isZero();
  }

  @Test
  void theAwaitedParentsAndTheSettleTimeSurviveASnapshot() {
    RequestAssembler before = new RequestAssembler(ON);
    before.add(clientSpan(1));
    before.add(model(1)); // awaits the gateway

    RequestAssembler after = new RequestAssembler(ON);
    after.restore(before.snapshot());
    assertThat(after.snapshot()).isEqualTo(before.snapshot());

    assertThat(drainAt(after, ROOT_END + SETTLE + 500_000)).as("still awaits the gateway").isZero();
    after.add(gateway(1));
    assertThat(drainAt(after, ROOT_END + 2 * SETTLE + 500_000)).isEqualTo(1);
    assertThat(after.completedEarly()).isEqualTo(1);
  }

  @Test
  void aSnapshotWrittenWithItOffRestoresWithItOnAndWaitsForTheGrace() {
    RequestAssembler before = new RequestAssembler(OFF);
    before.add(model(1));
    before.add(gateway(1));
    before.add(clientSpan(1));

    RequestAssembler after = new RequestAssembler(ON);
    after.restore(before.snapshot());

    assertThat(drainAt(after, ROOT_END + 2 * SETTLE)).as("its parents are not known").isZero();
    assertThat(drainAt(after, ROOT_END + GRACE)).isEqualTo(1);
    assertThat(after.completedEarly()).isZero();
  }

  /**
   * {@code snapshot-v8.hex} was written by the assembler before early completion (version 8): trace
   * 2 open (client span root, gateway and model), trace 1 completed and remembered.
   */
  @Test
  void aVersion8SnapshotWrittenBeforeEarlyCompletionRestoresAndWaitsForTheGrace()
      throws IOException {
    byte[] v8;
    try (InputStream in = getClass().getResourceAsStream("/assembly/snapshot-v8.hex")) {
      v8 = HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
    }
    assertThat(v8[0]).isEqualTo(AssemblySnapshotCodec.VERSION_8);
    RequestAssembler a = new RequestAssembler(ON);
    a.restore(v8);

    assertThat(a.inFlight()).isEqualTo(1);
    assertThat(a.recentlyCompleted()).isEqualTo(1);
    assertThat(a.streamTimeMicros()).isEqualTo(T0 + 7_000_000);
    // A span of the remembered trace is late, not a second request.
    Span ofTrace1 =
        Span.builder()
            .traceId(new TraceId(0x1111L, 1))
            .spanId(9)
            .parentSpanId(1)
            .tenant("acme")
            .kind(SpanKind.INTERNAL)
            .startEpochNanos((T0 + 10_000) * 1_000)
            .endEpochNanos((T0 + 20_000) * 1_000)
            .build();
    assertThat(a.add(ofTrace1)).isEqualTo(AddResult.LATE);
    // The open request does not know which parents its spans named: it waits for the grace.
    a.advanceStreamTime(T0 + 7_000_000 + 2 * SETTLE);
    assertThat(a.drainCompleted(emitted::add)).isZero();
    a.advanceStreamTime(T0 + 7_000_000 + GRACE);
    assertThat(a.drainCompleted(emitted::add)).isEqualTo(1);

    RequestSummary r = emitted.get(0);
    assertThat(r.traceId()).isEqualTo(new TraceId(0x1111L, 2));
    assertThat(r.partial()).isFalse();
    assertThat(r.trafficClass()).isEqualTo("interactive_premium");
    assertThat(r.ttftMicros()).isEqualTo(400_000);
    assertThat(r.edgeMicros()).isEqualTo(100_000);
    assertThat(r.modelMicros()).isEqualTo(200_000);
    assertThat(a.completedEarly()).isZero();
  }

  @Test
  void aVersion8SnapshotOfTheCurrentCodeStillRestores() {
    RequestAssembler before = new RequestAssembler(OFF);
    before.add(gateway(1));
    before.add(clientSpan(1));
    byte[] v8 = SnapshotVersions.v9ToV8(before.snapshot());

    RequestAssembler after = new RequestAssembler(ON);
    after.restore(v8);

    assertThat(after.snapshot()).isEqualTo(before.snapshot());
  }

  @Test
  void refusesASettleTimeNotShorterThanTheGraceOrNegative() {
    assertThatThrownBy(() -> OFF.withEarlyCompletion(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("earlySettle must be shorter than grace");
    assertThatThrownBy(() -> OFF.withEarlyCompletion(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("earlySettle must be >= 0");
    assertThat(OFF.withEarlyCompletion(Duration.ZERO).earlyCompletion()).isTrue();
    assertThat(ON.withoutEarlyCompletion().earlyCompletion()).isFalse();
  }
}
