package dev.tierscope.core.span;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The builder decides a span's stream continuity: stated fields, else chunk events. */
class StreamContinuityTest {

  private static final long START = 1_700_000_000_000_000_000L;
  private static final long MS = 1_000_000;

  private static Span.Builder streamed() {
    return Span.builder()
        .traceId(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
        .spanId(7)
        .kind(SpanKind.CLIENT)
        .startEpochNanos(START)
        .endEpochNanos(START + 60_000 * MS)
        .streamed(true);
  }

  @Test
  void nothingReportedIsAbsent() {
    Span s = streamed().build();
    assertThat(s.streamMaxGapMicros()).isEqualTo(Span.ABSENT);
    assertThat(s.hasStreamMaxGap()).isFalse();
    assertThat(s.streamStalls()).isEqualTo(-1);
    assertThat(s.interruptionCause()).isEqualTo(InterruptionCause.NONE);
  }

  @Test
  void chunkEventsGiveTheLargestGapAndTheStallsAboveTheThreshold() {
    // Chunks at 300, 350, 1 600 (gap 1 250), 1 650, 3 650 (gap 2 000), 3 700 ms; threshold 1 s.
    Span s =
        streamed()
            .firstTokenEvent(START + 300 * MS)
            .chunkEvent(START + 350 * MS)
            .chunkEvent(START + 1_600 * MS)
            .chunkEvent(START + 1_650 * MS)
            .chunkEvent(START + 3_650 * MS)
            .chunkEvent(START + 3_700 * MS)
            .build();
    assertThat(s.streamMaxGapMicros()).isEqualTo(2_000_000);
    assertThat(s.streamStalls()).isEqualTo(2);
    assertThat(s.firstTokenEpochNanos()).isEqualTo(START + 300 * MS);
  }

  @Test
  void aGapExactlyAtTheThresholdIsNoStallAndEventsMayComeOutOfOrder() {
    Span s =
        streamed()
            .stallThresholdMicros(1_000_000)
            .chunkEvent(START + 2_000 * MS)
            .chunkEvent(START + 1_000 * MS)
            .chunkEvent(START + 3_001 * MS)
            .build();
    assertThat(s.streamMaxGapMicros()).isEqualTo(1_001_000);
    assertThat(s.streamStalls()).as("1 000 ms is not above 1 s, 1 001 ms is").isEqualTo(1);
  }

  @Test
  void theConfiguredThresholdDecidesStalls() {
    Span.Builder b = streamed().stallThresholdMicros(100_000);
    for (int i = 0; i < 10; i++) {
      b.chunkEvent(START + i * 150 * MS);
    }
    assertThat(b.build().streamStalls()).isEqualTo(9);
  }

  @Test
  void statedFieldsWinOverChunkEvents() {
    Span s =
        streamed()
            .streamMaxGapMillis(4_250.5)
            .streamStalls(3)
            .chunkEvent(START)
            .chunkEvent(START + 10 * MS)
            .build();
    assertThat(s.streamMaxGapMicros()).isEqualTo(4_250_500);
    assertThat(s.streamStalls()).isEqualTo(3);
    // Each field on its own: a stated gap, stalls from the events.
    Span mixed =
        streamed().streamMaxGapMillis(9).chunkEvent(START).chunkEvent(START + 1_500 * MS).build();
    assertThat(mixed.streamMaxGapMicros()).isEqualTo(9_000);
    assertThat(mixed.streamStalls()).isEqualTo(1);
  }

  @Test
  void oneChunkHasNoGap() {
    Span s = streamed().chunkEvent(START + 5 * MS).build();
    assertThat(s.hasStreamMaxGap()).isFalse();
    assertThat(s.streamStalls()).isEqualTo(-1);
  }

  @Test
  void dialectChunkEventsGiveGapsToo() {
    GenAiDialects.Mapping chunk = GenAiDialects.event("gen_ai.content.completion.chunk");
    assertThat(chunk).isNotNull();
    Span s =
        streamed()
            .dialectEvent(chunk, START + 100 * MS)
            .dialectEvent(chunk, START + 2_600 * MS)
            .build();
    assertThat(s.streamMaxGapMicros()).isEqualTo(2_500_000);
    assertThat(s.streamStalls()).isEqualTo(1);
  }

  @Test
  void unbelievableOrUnreadableValuesCountAsAbsent() {
    Span.Builder b = streamed().streamMaxGapMillis(1e300).streamStalls(-4);
    Span s = b.build();
    assertThat(s.hasStreamMaxGap()).isFalse();
    assertThat(s.streamStalls()).isEqualTo(-1);
    assertThat(b.normalizedFields()).containsExactly(SpanField.STREAM_GAP);
    assertThat(streamed().streamMaxGapMillis(Double.NaN).build().hasStreamMaxGap()).isFalse();
    assertThat(streamed().streamMaxGapMillis(-1).build().hasStreamMaxGap()).isFalse();
    assertThat(streamed().streamStalls(1L << 40).build().streamStalls())
        .isEqualTo(Integer.MAX_VALUE);
    // Chunk instants a lifetime apart (a hostile producer) overflow nothing.
    Span far = streamed().chunkEvent(Long.MIN_VALUE).chunkEvent(Long.MAX_VALUE).build();
    assertThat(far.hasStreamMaxGap()).isFalse();
    assertThat(far.streamStalls()).isEqualTo(1);
  }

  @Test
  void aStallThresholdMustBePositive() {
    assertThatThrownBy(() -> streamed().stallThresholdMicros(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stall threshold must be positive");
  }

  @Test
  void theCauseBelongsToAnInterruptionOnly() {
    assertThat(
            streamed()
                .streamOutcome(StreamOutcome.INTERRUPTED)
                .interruptionCause(InterruptionCause.IDLE_TIMEOUT)
                .build()
                .interruptionCause())
        .isEqualTo(InterruptionCause.IDLE_TIMEOUT);
    assertThat(streamed().streamOutcome(StreamOutcome.INTERRUPTED).build().interruptionCause())
        .as("interrupted, cause not reported")
        .isEqualTo(InterruptionCause.UNKNOWN);
    assertThat(
            streamed()
                .streamOutcome(StreamOutcome.CANCELLED)
                .interruptionCause(InterruptionCause.NETWORK)
                .build()
                .interruptionCause())
        .as("a cancel is not an interruption")
        .isEqualTo(InterruptionCause.NONE);
    // Derived: ERROR after the first token is an interruption.
    assertThat(
            streamed()
                .error(true)
                .firstTokenEvent(START + MS)
                .interruptionCause(InterruptionCause.SERVER_ERROR)
                .build()
                .interruptionCause())
        .isEqualTo(InterruptionCause.SERVER_ERROR);
  }

  @Test
  void causeAttributeValuesOutsideTheSetAreUnknown() {
    assertThat(InterruptionCause.fromAttribute("idle_timeout"))
        .isEqualTo(InterruptionCause.IDLE_TIMEOUT);
    assertThat(InterruptionCause.fromAttribute("upstream_reset"))
        .isEqualTo(InterruptionCause.UPSTREAM_RESET);
    assertThat(InterruptionCause.fromAttribute("network")).isEqualTo(InterruptionCause.NETWORK);
    assertThat(InterruptionCause.fromAttribute("server_error"))
        .isEqualTo(InterruptionCause.SERVER_ERROR);
    assertThat(InterruptionCause.fromAttribute("cosmic_ray")).isEqualTo(InterruptionCause.UNKNOWN);
    assertThat(InterruptionCause.fromAttribute("")).isEqualTo(InterruptionCause.UNKNOWN);
    assertThat(InterruptionCause.fromAttribute(null)).isEqualTo(InterruptionCause.UNKNOWN);
    for (InterruptionCause c : InterruptionCause.values()) {
      assertThat(InterruptionCause.fromId(c.id())).isEqualTo(c);
    }
  }
}
