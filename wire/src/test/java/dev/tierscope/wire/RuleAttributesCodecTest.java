package dev.tierscope.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.wire.v1.SpanEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rule_attributes} (field 30): what class rules read travels with root spans only. */
class RuleAttributesCodecTest {

  static final long T0 = 1_764_000_000_123_456_789L;

  private static Span.Builder root() {
    return Span.builder()
        .traceId(new TraceId(0x0102030405060708L, 0x090a0b0c0d0e0f10L))
        .spanId(0x1122334455667788L)
        .kind(SpanKind.SERVER)
        .startEpochNanos(T0)
        .endEpochNanos(T0 + 1_000_000);
  }

  @Test
  void rootSpanRuleAttributesRoundTrip() {
    Span span =
        root()
            .ruleAttribute("service.name", "chat")
            .ruleAttribute("http.route", "/v1/chat/completions")
            .build();

    Span read = SpanBytesDecoder.SPAN_EVENT_V1.decode(SpanBytesEncoder.SPAN_EVENT_V1.encode(span));

    assertThat(read).isEqualTo(span);
    assertThat(read.ruleAttributes())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("service.name", "chat", "http.route", "/v1/chat/completions"));
  }

  @Test
  void decoderReadsTheGeneratedMapLikeTheGeneratedParser() throws Exception {
    SpanEvent written =
        SpanBytesEncoder.toMessage(root().build()).toBuilder()
            .putRuleAttributes("gen_ai.request.model", "gpt-4o-mini")
            .putRuleAttributes("empty", "")
            .build();
    byte[] bytes = written.toByteArray();

    Span read = SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes);

    assertThat(read.ruleAttributes()).isEqualTo(SpanEvent.parseFrom(bytes).getRuleAttributesMap());
  }

  @Test
  void aChildSpanCarriesNoneWhateverTheWriterSent() {
    SpanEvent child =
        SpanBytesEncoder.toMessage(root().build()).toBuilder()
            .setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
            .putRuleAttributes("http.route", "/v1/x")
            .build();

    assertThat(SpanBytesDecoder.SPAN_EVENT_V1.decode(child.toByteArray()).ruleAttributes())
        .isEmpty();
  }

  @Test
  void valuesAreBoundedAsAnotherWriterMightNotBound() {
    SpanEvent.Builder e = SpanBytesEncoder.toMessage(root().build()).toBuilder();
    for (int i = 0; i < Span.MAX_RULE_ATTRIBUTES + 10; i++) {
      e.putRuleAttributes("k" + i, "v".repeat(1000));
    }

    Span read = SpanBytesDecoder.SPAN_EVENT_V1.decode(e.build().toByteArray());

    assertThat(read.ruleAttributes()).hasSize(Span.MAX_RULE_ATTRIBUTES);
    assertThat(read.ruleAttributes().values())
        .allSatisfy(v -> assertThat(v).hasSize(Span.MAX_RULE_VALUE_CHARS));
  }
}
