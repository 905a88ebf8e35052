package dev.tierscope.ingest.otlp;

import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.CLOCK;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.MILLI;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.START;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.attr;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.events;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.request;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.resource;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer.UnknownClassPolicy;
import dev.tierscope.wire.v1.InterruptionCause;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.StreamOutcome;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stream continuity as the ingest reads it: SDK attributes, or chunk events and the threshold. */
class StreamContinuityNormalizerTest {

  private static OtlpSpanNormalizer normalizer(Duration stallThreshold) {
    return new OtlpSpanNormalizer(
        TrafficClasses.defaults(),
        128,
        UnknownClassPolicy.ACCEPT,
        SpanTimeBounds.DEFAULTS,
        CLOCK,
        stallThreshold);
  }

  private static SpanEvent one(OtlpSpanNormalizer n, Span.Builder span) {
    NormalizedBatch batch =
        n.normalize(request(resource(attr(SpanAttributes.SERVICE_NAME, "svc")), span));
    assertThat(batch.rejectionMessage()).isEmpty();
    List<SpanEvent> events = events(batch);
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private static Span.Event chunk(long at) {
    return Span.Event.newBuilder()
        .setName(SpanAttributes.STREAM_CHUNK_EVENT)
        .setTimeUnixNano(at)
        .build();
  }

  @Test
  void readsTheSdkAttributes() {
    SpanEvent e =
        one(
            normalizer(Duration.ofSeconds(1)),
            span()
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true))
                .addAttributes(attr(SpanAttributes.STREAM_OUTCOME, "interrupted"))
                .addAttributes(attr(SpanAttributes.STREAM_MAX_GAP_MS, 2_345.5))
                .addAttributes(attr(SpanAttributes.STREAM_STALLS, "3"))
                .addAttributes(attr(SpanAttributes.STREAM_INTERRUPTION_CAUSE, "idle_timeout")));
    assertThat(e.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_INTERRUPTED);
    assertThat(e.getStreamMaxGapMicros()).isEqualTo(2_345_500);
    assertThat(e.getStreamStalls()).isEqualTo(3);
    assertThat(e.getInterruptionCause())
        .isEqualTo(InterruptionCause.INTERRUPTION_CAUSE_IDLE_TIMEOUT);
  }

  @Test
  void computesGapsAndStallsFromChunkEventsWithTheConfiguredThreshold() {
    Span.Builder span =
        span()
            .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true))
            .addEvents(
                Span.Event.newBuilder()
                    .setName(SpanAttributes.FIRST_TOKEN_EVENT)
                    .setTimeUnixNano(START + 200 * MILLI))
            .addEvents(chunk(START + 400 * MILLI))
            .addEvents(chunk(START + 1_000 * MILLI))
            .addEvents(chunk(START + 1_100 * MILLI))
            .addEvents(chunk(START + 2_800 * MILLI));
    SpanEvent oneSecond = one(normalizer(Duration.ofSeconds(1)), span.clone());
    assertThat(oneSecond.getStreamMaxGapMicros()).isEqualTo(1_700_000);
    assertThat(oneSecond.getStreamStalls()).isEqualTo(1);
    assertThat(oneSecond.getFirstTokenEpochNanos()).isEqualTo(START + 200 * MILLI);

    SpanEvent halfSecond = one(normalizer(Duration.ofMillis(500)), span.clone());
    assertThat(halfSecond.getStreamStalls()).as("600 ms and 1 700 ms").isEqualTo(2);
  }

  @Test
  void unreadableValuesCountAsAbsentAndAnUnknownCauseAsUnknown() {
    SpanEvent e =
        one(
            normalizer(Duration.ofSeconds(1)),
            span()
                .setStatus(
                    io.opentelemetry.proto.trace.v1.Status.newBuilder()
                        .setCode(
                            io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR))
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true))
                .addAttributes(attr(SpanAttributes.STREAM_OUTCOME, "interrupted"))
                .addAttributes(attr(SpanAttributes.STREAM_MAX_GAP_MS, "soon"))
                .addAttributes(attr(SpanAttributes.STREAM_STALLS, "many"))
                .addAttributes(attr(SpanAttributes.STREAM_INTERRUPTION_CAUSE, "gremlins")));
    assertThat(e.hasStreamMaxGapMicros()).isFalse();
    assertThat(e.hasStreamStalls()).isFalse();
    assertThat(e.getInterruptionCauseValue()).as("unknown: not written").isZero();
  }

  @Test
  void aStallThresholdBelowOneMillisecondIsRefused() {
    assertThatThrownBy(() -> normalizer(Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stallThreshold must be at least 1ms");
  }
}
