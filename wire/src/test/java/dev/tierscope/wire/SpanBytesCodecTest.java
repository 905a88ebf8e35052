package dev.tierscope.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tierscope.core.span.InvalidSpanException;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanDefect;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpanBytesCodecTest {

  static final long T0 = 1_764_000_000_123_456_789L;

  @Test
  void roundTripsRandomSpansExactly() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 2_000; i++) {
      Span span = randomSpan(random);

      byte[] bytes = SpanBytesEncoder.SPAN_EVENT_V1.encode(span);

      assertThat(SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes)).isEqualTo(span);
    }
  }

  @Test
  void writesAbsentAsTheWireSaysIt() throws Exception {
    Span span = base().build();

    SpanEvent e = SpanEvent.parseFrom(SpanBytesEncoder.SPAN_EVENT_V1.encode(span));

    assertThat(span.firstTokenEpochNanos()).isEqualTo(Span.ABSENT);
    assertThat(span.modelQueueMicros()).isEqualTo(Span.ABSENT);
    assertThat(e.getFirstTokenEpochNanos()).isZero();
    assertThat(e.hasModelQueueMicros()).isFalse();
    assertThat(e.getParentSpanId()).isEqualTo(ByteString.EMPTY);
  }

  @Test
  void keepsAPresentZeroQueueTimeApartFromAnAbsentOne() throws Exception {
    Span span = base().modelQueueMicros(0).build();

    SpanEvent e = SpanEvent.parseFrom(SpanBytesEncoder.SPAN_EVENT_V1.encode(span));

    assertThat(e.hasModelQueueMicros()).isTrue();
    assertThat(SpanBytesDecoder.SPAN_EVENT_V1.decode(e.toByteArray()).modelQueueMicros()).isZero();
  }

  @Test
  void mapsEveryRoleKindAndOutcomeBothWays() {
    Set<Role> wireRoles = new HashSet<>();
    for (SpanRole role : SpanRole.values()) {
      Role wire = WireEnums.toWire(role);
      assertThat(wire).as(role.name()).isNotNull();
      assertThat(WireEnums.role(wire.getNumber())).isEqualTo(role);
      wireRoles.add(wire);
    }
    assertThat(wireRoles).hasSize(Role.values().length - 1); // all but UNRECOGNIZED
    for (SpanKind kind : SpanKind.values()) {
      assertThat(WireEnums.kind(WireEnums.toWire(kind).getNumber())).isEqualTo(kind);
    }
    assertThat(SpanKind.values()).hasSize(dev.tierscope.wire.v1.SpanKind.values().length - 1);
    for (StreamOutcome outcome : StreamOutcome.values()) {
      assertThat(WireEnums.outcome(WireEnums.toWire(outcome).getNumber())).isEqualTo(outcome);
    }
    assertThat(StreamOutcome.values())
        .hasSize(dev.tierscope.wire.v1.StreamOutcome.values().length - 1);
  }

  @Test
  void carriesStreamContinuityAndLeavesWhatWasNotReportedUnset() throws Exception {
    Span reported =
        base()
            .streamed(true)
            .streamOutcome(StreamOutcome.INTERRUPTED)
            .streamMaxGapMicros(0)
            .streamStalls(0)
            .interruptionCause(dev.tierscope.core.span.InterruptionCause.IDLE_TIMEOUT)
            .build();
    SpanEvent e = SpanEvent.parseFrom(SpanBytesEncoder.SPAN_EVENT_V1.encode(reported));
    assertThat(e.hasStreamMaxGapMicros()).as("a present 0").isTrue();
    assertThat(e.hasStreamStalls()).isTrue();
    assertThat(e.getInterruptionCause())
        .isEqualTo(dev.tierscope.wire.v1.InterruptionCause.INTERRUPTION_CAUSE_IDLE_TIMEOUT);
    assertThat(SpanBytesDecoder.SPAN_EVENT_V1.decode(e.toByteArray())).isEqualTo(reported);

    Span unreported = base().streamed(true).streamOutcome(StreamOutcome.INTERRUPTED).build();
    SpanEvent u = SpanEvent.parseFrom(SpanBytesEncoder.SPAN_EVENT_V1.encode(unreported));
    assertThat(u.hasStreamMaxGapMicros()).isFalse();
    assertThat(u.hasStreamStalls()).isFalse();
    assertThat(u.getInterruptionCauseValue()).as("unknown is not written").isZero();
    Span back = SpanBytesDecoder.SPAN_EVENT_V1.decode(u.toByteArray());
    assertThat(back.interruptionCause())
        .isEqualTo(dev.tierscope.core.span.InterruptionCause.UNKNOWN);
    assertThat(back.streamStalls()).isEqualTo(-1);
    for (dev.tierscope.core.span.InterruptionCause c :
        dev.tierscope.core.span.InterruptionCause.values()) {
      assertThat(WireEnums.cause(WireEnums.toWire(c).getNumber())).isEqualTo(c);
    }
    assertThat(WireEnums.cause(42)).isEqualTo(dev.tierscope.core.span.InterruptionCause.NONE);
  }

  @Test
  void readsAWireValueThisVersionDoesNotKnowAsUnspecified() {
    byte[] bytes =
        SpanEvent.newBuilder(SpanEvent.newBuilder().build())
            .mergeFrom(SpanBytesEncoder.toMessage(base().role(SpanRole.TOOL).build()))
            .setRoleValue(42)
            .setKindValue(42)
            .setStreamOutcomeValue(42)
            .build()
            .toByteArray();

    Span span = SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes);

    assertThat(span.role()).isEqualTo(SpanRole.UNSPECIFIED);
    assertThat(span.kind()).isEqualTo(SpanKind.UNSPECIFIED);
    assertThat(span.streamOutcome()).isEqualTo(StreamOutcome.NONE);
  }

  @Test
  void takesRoleAndOutcomeAsWrittenWithoutDecidingAgain() {
    // A streamed ERROR span with a first token and no outcome, a CLIENT root with no role: the
    // writer left them open, and the reader must not decide them as the ingest would.
    byte[] bytes =
        SpanBytesEncoder.toMessage(base().build()).toBuilder()
            .setKind(dev.tierscope.wire.v1.SpanKind.SPAN_KIND_CLIENT)
            .setRole(Role.ROLE_UNSPECIFIED)
            .setStreamed(true)
            .setStatusError(true)
            .setFirstTokenEpochNanos(T0 + 5)
            .clearStreamOutcome()
            .build()
            .toByteArray();

    Span span = SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes);

    assertThat(span.role()).isEqualTo(SpanRole.UNSPECIFIED);
    assertThat(span.streamOutcome()).isEqualTo(StreamOutcome.NONE);
  }

  @Test
  void holdsMessagesOfOtherProducersToTheSpanRules() {
    byte[] zeroTrace =
        SpanBytesEncoder.toMessage(base().build()).toBuilder()
            .setTraceId(ByteString.copyFrom(new byte[16]))
            .build()
            .toByteArray();
    byte[] noStart =
        SpanBytesEncoder.toMessage(base().build()).toBuilder()
            .setStartEpochNanos(0)
            .build()
            .toByteArray();

    assertThatThrownBy(() -> SpanBytesDecoder.SPAN_EVENT_V1.decode(zeroTrace))
        .isInstanceOfSatisfying(
            InvalidSpanException.class,
            e -> assertThat(e.defect()).isEqualTo(SpanDefect.INVALID_TRACE_ID))
        .hasMessage("trace_id must not be all zero");
    assertThatThrownBy(() -> SpanBytesDecoder.SPAN_EVENT_V1.decode(noStart))
        .isInstanceOfSatisfying(
            InvalidSpanException.class,
            e -> assertThat(e.defect()).isEqualTo(SpanDefect.INVALID_START_TIME));
  }

  // ---- helpers

  private static Span.Builder base() {
    return Span.builder()
        .traceId(new TraceId(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L))
        .spanId(0x00f067aa0ba902b7L)
        .kind(SpanKind.INTERNAL)
        .startEpochNanos(T0)
        .endEpochNanos(T0 + 1_000);
  }

  private static Span randomSpan(SplittableRandom r) {
    long start = T0 + r.nextLong(1_000_000_000_000L);
    Span.Builder b =
        Span.builder()
            .traceId(new TraceId(r.nextLong(), r.nextLong() | 1))
            .spanId(r.nextLong() | 1)
            .parentSpanId(r.nextBoolean() ? 0 : r.nextLong())
            .service(text(r))
            .tenant(TENANTS[r.nextInt(TENANTS.length)])
            .role(SpanRole.values()[r.nextInt(SpanRole.values().length)])
            .kind(SpanKind.values()[r.nextInt(SpanKind.values().length)])
            .operation(text(r))
            .trafficClass(text(r))
            .classUnknown(r.nextBoolean())
            .workflow(text(r))
            .startEpochNanos(start)
            .endEpochNanos(start + r.nextLong(10_000_000_000L))
            .error(r.nextBoolean())
            .streamed(r.nextBoolean())
            .streamOutcome(StreamOutcome.values()[r.nextInt(StreamOutcome.values().length)])
            .retrievalHit(r.nextBoolean())
            .retrievalFallback(r.nextBoolean())
            .toolName(text(r))
            .inputTokens(r.nextLong(100_000))
            .outputTokens(r.nextLong(100_000))
            .model(text(r))
            .clientPath(text(r))
            .protocolVersion(text(r))
            .protocolFallback(r.nextBoolean())
            .retransmits(r.nextInt(100))
            .connectionType(text(r))
            .region(text(r));
    if (r.nextBoolean()) {
      b.firstTokenEpochNanos(start + r.nextLong(5_000_000_000L));
    }
    if (r.nextBoolean()) {
      b.modelQueueMicros(r.nextLong(1_000_000));
    }
    b.admission(
        dev.tierscope.core.span.Admission.values()[
            r.nextInt(dev.tierscope.core.span.Admission.values().length)]);
    if (r.nextBoolean()) {
      b.degradationLevel(r.nextInt(5) - 1); // -1 and 4 are out of range: absent
    }
    SpanBytesDecoderDifferentialTest.randomContinuity(r, b);
    return b.build();
  }

  private static final String[] WORDS = {"", "a", "chat", "über", "日本語", "🔍 tool", "x".repeat(40)};

  /** Tenants are held to the API's pattern; free text may be anything. */
  private static final String[] TENANTS = {"", "a", "acme", "t-1.eu:prod_2", "x".repeat(128)};

  private static String text(SplittableRandom r) {
    return WORDS[r.nextInt(WORDS.length)];
  }
}
