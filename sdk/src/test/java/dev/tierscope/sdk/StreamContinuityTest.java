package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The SDK measures a stream's gaps from chunk() calls and reports where and why it broke. */
class StreamContinuityTest {

  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static Tierscope tierscope(RecordingExporter exporter, Duration stallThreshold) {
    return Tierscope.builder()
        .serviceName("chat-api")
        .spanExporter(exporter)
        .scheduleDelay(Duration.ofMillis(10))
        .stallThreshold(stallThreshold)
        .build();
  }

  private static Double dbl(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.doubleKey(key));
  }

  private static Long lng(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.longKey(key));
  }

  private static String str(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.stringKey(key));
  }

  @Test
  void chunksGiveTheLargestGapAndTheStallsAboveTheThreshold() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter, Duration.ofMillis(500))) {
      RequestSpan r =
          t.request(TrafficClass.INTERACTIVE_PREMIUM, "chat").name("client").startAt(T0).start();
      // 300 ms to the first chunk, then gaps of 40, 800, 20, 1 250 ms
      r.chunk(T0.plusMillis(300));
      r.chunk(T0.plusMillis(340));
      r.chunk(T0.plusMillis(1_140));
      r.chunk(T0.plusMillis(1_160));
      r.chunk(T0.plusMillis(2_410));
      r.end(Outcome.COMPLETED, T0.plusMillis(2_500));
    }
    SpanData s = exporter.named("client");
    assertThat(s.getEvents()).extracting(e -> e.getName()).containsExactly("first_token");
    assertThat(s.getEvents().get(0).getEpochNanos())
        .isEqualTo(T0.plusMillis(300).toEpochMilli() * 1_000_000);
    assertThat(dbl(s, SpanAttributes.STREAM_MAX_GAP_MS)).isEqualTo(1_250.0);
    assertThat(lng(s, SpanAttributes.STREAM_STALLS)).isEqualTo(2);
  }

  @Test
  void oneChunkReportsNoGapAndStatedGapsWin() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter, Duration.ofSeconds(1))) {
      ModelSpan m =
          t.request(TrafficClass.INTERACTIVE_PREMIUM, "chat")
              .name("client")
              .startAt(T0)
              .start()
              .model("llama", T0);
      m.chunk(T0.plusMillis(100)).end(Outcome.COMPLETED, T0.plusMillis(200));
      RequestSpan r =
          t.request(TrafficClass.INTERACTIVE_PREMIUM, "chat").name("stated").startAt(T0).start();
      r.chunk(T0.plusMillis(100)).chunk(T0.plusMillis(150));
      r.streamGaps(Duration.ofMillis(2_400), 1).end(Outcome.COMPLETED, T0.plusSeconds(3));
    }
    SpanData model = exporter.named("chat llama");
    assertThat(dbl(model, SpanAttributes.STREAM_MAX_GAP_MS)).isNull();
    assertThat(lng(model, SpanAttributes.STREAM_STALLS)).isNull();
    SpanData stated = exporter.named("stated");
    assertThat(dbl(stated, SpanAttributes.STREAM_MAX_GAP_MS)).isEqualTo(2_400.0);
    assertThat(lng(stated, SpanAttributes.STREAM_STALLS)).isEqualTo(1);
  }

  @Test
  void anInterruptionCarriesItsCauseAndEndsWhereTheStreamBroke() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter, Duration.ofSeconds(1))) {
      RequestSpan r =
          t.request(TrafficClass.STANDARD_INTERACTIVE, "chat").name("cut").startAt(T0).start();
      r.chunk(T0.plusMillis(400));
      r.interrupted(InterruptionCause.IDLE_TIMEOUT, T0.plusSeconds(60));
      RequestSpan c =
          t.request(TrafficClass.STANDARD_INTERACTIVE, "chat").name("cancel").startAt(T0).start();
      c.chunk(T0.plusMillis(400));
      c.end(Outcome.CANCELLED, T0.plusSeconds(5));
    }
    SpanData cut = exporter.named("cut");
    assertThat(str(cut, SpanAttributes.STREAM_OUTCOME)).isEqualTo("interrupted");
    assertThat(str(cut, SpanAttributes.STREAM_INTERRUPTION_CAUSE)).isEqualTo("idle_timeout");
    assertThat(cut.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(cut.getEndEpochNanos() - cut.getStartEpochNanos())
        .isEqualTo(Duration.ofSeconds(60).toNanos());
    SpanData cancel = exporter.named("cancel");
    assertThat(str(cancel, SpanAttributes.STREAM_OUTCOME)).isEqualTo("cancelled");
    assertThat(str(cancel, SpanAttributes.STREAM_INTERRUPTION_CAUSE)).isNull();
  }

  @Test
  void aStallThresholdOutsideOneMillisecondToTenMinutesFailsTheBuild() {
    assertThatThrownBy(() -> Tierscope.builder().stallThreshold(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Tierscope stallThreshold must be between 1ms and 10m, got PT0S");
    assertThatThrownBy(() -> Tierscope.builder().stallThreshold(null).build())
        .hasMessage("Tierscope stallThreshold must be between 1ms and 10m, got null");
  }
}
