package dev.tierscope.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tierscope.core.span.InvalidSpanException;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.wire.v1.SpanEvent;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hand-written decoder reads every message as protobuf's generated parser does: on random
 * messages, and on corrupted ones (flipped bytes, cut tails, appended fields), both give the same
 * span, or both refuse it for the same reason.
 */
class SpanBytesDecoderDifferentialTest {

  static final long T0 = 1_764_000_000_123_456_789L;

  @Test
  void agreesWithTheGeneratedParserOnValidAndCorruptedMessages() {
    SplittableRandom r = new SplittableRandom(7);
    int agreedSpans = 0;
    int agreedRefusals = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = mutate(r, SpanBytesEncoder.SPAN_EVENT_V1.encode(randomSpan(r)));

      String expected = outcome(() -> reference(bytes));
      String actual = outcome(() -> SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes));

      assertThat(actual).as("message %s", Arrays.toString(bytes)).isEqualTo(expected);
      if (expected.startsWith("span ")) {
        agreedSpans++;
      } else {
        agreedRefusals++;
      }
    }
    // Both kinds of case were exercised, not only one.
    assertThat(agreedSpans).isGreaterThan(5_000);
    assertThat(agreedRefusals).isGreaterThan(2_000);
  }

  /** The generated parser plus the field-by-field translation into the builder. */
  static Span reference(byte[] bytes) {
    SpanEvent e;
    try {
      e = SpanEvent.parseFrom(CodedInputStream.newInstance(bytes));
    } catch (InvalidProtocolBufferException ex) {
      throw new UndecodableSpanException(ex.getMessage(), ex);
    } catch (java.io.IOException ex) {
      throw new UndecodableSpanException(ex.toString(), ex);
    }
    Span.Builder b =
        Span.builder()
            .traceId(e.getTraceId().asReadOnlyByteBuffer())
            .spanId(e.getSpanId().asReadOnlyByteBuffer())
            .parentSpanId(e.getParentSpanId().asReadOnlyByteBuffer())
            .service(e.getService())
            .tenant(e.getTenant())
            .role(WireEnums.role(e.getRoleValue()))
            .kind(WireEnums.kind(e.getKindValue()))
            .operation(e.getOperation())
            .trafficClass(e.getTrafficClass())
            .classUnknown(e.getClassUnknown())
            .workflow(e.getWorkflow())
            .startEpochNanos(e.getStartEpochNanos())
            .endEpochNanos(e.getEndEpochNanos())
            .error(e.getStatusError())
            .streamed(e.getStreamed())
            .streamOutcome(WireEnums.outcome(e.getStreamOutcomeValue()))
            .retrievalHit(e.getRetrievalHit())
            .retrievalFallback(e.getRetrievalFallback())
            .toolName(e.getToolName())
            .inputTokens(e.getInputTokens())
            .outputTokens(e.getOutputTokens())
            .model(e.getModel())
            .clientPath(e.getClientPath())
            .protocolVersion(e.getProtocolVersion())
            .protocolFallback(e.getProtocolFallback())
            .retransmits(e.getRetransmits())
            .connectionType(e.getConnectionType())
            .region(e.getRegion());
    if (e.getFirstTokenEpochNanos() != 0) {
      b.firstTokenEpochNanos(e.getFirstTokenEpochNanos());
    }
    if (e.hasModelQueueMicros()) {
      b.modelQueueMicros(e.getModelQueueMicros());
    }
    b.admission(WireEnums.admission(e.getAdmissionValue()));
    if (e.hasDegradationLevel()) {
      b.degradationLevel(e.getDegradationLevel());
    }
    e.getRuleAttributesMap().forEach(b::ruleAttribute);
    b.tenantAuthenticated(e.getTenantAuthenticated());
    if (e.hasStreamMaxGapMicros()) {
      b.streamMaxGapMicros(e.getStreamMaxGapMicros());
    }
    if (e.hasStreamStalls()) {
      b.streamStalls(e.getStreamStalls());
    }
    b.interruptionCause(WireEnums.cause(e.getInterruptionCauseValue()));
    return b.build();
  }

  private static String outcome(java.util.function.Supplier<Span> decode) {
    try {
      return "span " + decode.get();
    } catch (UndecodableSpanException e) {
      return "undecodable";
    } catch (InvalidSpanException e) {
      return "invalid " + e.defect() + ": " + e.getMessage();
    }
  }

  private static byte[] mutate(SplittableRandom r, byte[] bytes) {
    switch (r.nextInt(6)) {
      case 0:
        return bytes;
      case 1:
        {
          byte[] b = bytes.clone();
          for (int n = 1 + r.nextInt(3); n > 0; n--) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
          }
          return b;
        }
      case 2:
        return Arrays.copyOf(bytes, r.nextInt(bytes.length));
      case 3:
        {
          // A field of a random number and wire type, possibly one this schema knows.
          byte[] extra = randomField(r);
          byte[] b = Arrays.copyOf(bytes, bytes.length + extra.length);
          System.arraycopy(extra, 0, b, bytes.length, extra.length);
          return b;
        }
      case 4:
        {
          byte[] b = new byte[1 + r.nextInt(40)];
          for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
          }
          return b;
        }
      default:
        {
          // A known field again at the end: the last occurrence wins.
          byte[] again = SpanBytesEncoder.SPAN_EVENT_V1.encode(randomSpan(r));
          int cut = r.nextInt(again.length);
          byte[] b = Arrays.copyOf(bytes, bytes.length + again.length - cut);
          System.arraycopy(again, cut, b, bytes.length, again.length - cut);
          return b;
        }
    }
  }

  private static byte[] randomField(SplittableRandom r) {
    int field = 1 + r.nextInt(40);
    int wireType = r.nextInt(6);
    byte[] tag = varint((field << 3) | wireType);
    byte[] payload;
    switch (wireType) {
      case 0 -> payload = varint(r.nextInt(1 << 20));
      case 1 -> payload = new byte[8];
      case 2 -> {
        int n = r.nextInt(20);
        byte[] len = varint(n);
        payload = Arrays.copyOf(len, len.length + n);
        for (int i = len.length; i < payload.length; i++) {
          payload[i] = (byte) r.nextInt(256);
        }
      }
      case 5 -> payload = new byte[4];
      default -> payload = new byte[0];
    }
    byte[] out = Arrays.copyOf(tag, tag.length + payload.length);
    System.arraycopy(payload, 0, out, tag.length, payload.length);
    return out;
  }

  private static byte[] varint(int v) {
    byte[] b = new byte[5];
    int n = 0;
    while ((v & ~0x7F) != 0) {
      b[n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[n++] = (byte) v;
    return Arrays.copyOf(b, n);
  }

  private static final String[] WORDS = {"", "a", "chat", "über", "日本語", "🔍 tool"};

  /** Tenants are held to the API's pattern; free text may be anything. */
  private static final String[] TENANTS = {"", "a", "acme", "t-1.eu:prod_2", "x".repeat(128)};

  static Span randomSpan(SplittableRandom r) {
    long start = T0 + r.nextLong(1_000_000_000_000L);
    Span.Builder b =
        Span.builder()
            .traceId(new TraceId(r.nextLong(), r.nextLong() | 1))
            .spanId(r.nextLong() | 1)
            .parentSpanId(r.nextBoolean() ? 0 : r.nextLong())
            .service(WORDS[r.nextInt(WORDS.length)])
            .tenant(TENANTS[r.nextInt(TENANTS.length)])
            .role(SpanRole.values()[r.nextInt(SpanRole.values().length)])
            .kind(SpanKind.values()[r.nextInt(SpanKind.values().length)])
            .operation(WORDS[r.nextInt(WORDS.length)])
            .trafficClass(WORDS[r.nextInt(WORDS.length)])
            .classUnknown(r.nextBoolean())
            .workflow(WORDS[r.nextInt(WORDS.length)])
            .startEpochNanos(start)
            .endEpochNanos(start + r.nextLong(10_000_000_000L))
            .error(r.nextBoolean())
            .streamed(r.nextBoolean())
            .streamOutcome(StreamOutcome.values()[r.nextInt(StreamOutcome.values().length)])
            .retrievalHit(r.nextBoolean())
            .retrievalFallback(r.nextBoolean())
            .toolName(WORDS[r.nextInt(WORDS.length)])
            .inputTokens(r.nextLong(100_000))
            .outputTokens(r.nextLong(100_000))
            .model(WORDS[r.nextInt(WORDS.length)])
            .clientPath(WORDS[r.nextInt(WORDS.length)])
            .protocolVersion(WORDS[r.nextInt(WORDS.length)])
            .protocolFallback(r.nextBoolean())
            .retransmits(r.nextInt(100))
            .connectionType(WORDS[r.nextInt(WORDS.length)])
            .region(WORDS[r.nextInt(WORDS.length)]);
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
    for (int n = r.nextInt(3); n > 0; n--) {
      b.ruleAttribute(WORDS[r.nextInt(WORDS.length)], WORDS[r.nextInt(WORDS.length)]);
    }
    b.tenantAuthenticated(r.nextInt(4) == 0);
    randomContinuity(r, b);
    return b.build();
  }

  /** Stream continuity: a gap and stalls or not, any cause (kept for interruptions only). */
  static void randomContinuity(SplittableRandom r, Span.Builder b) {
    if (r.nextBoolean()) {
      b.streamMaxGapMicros(r.nextLong(120_000_000));
    }
    if (r.nextBoolean()) {
      b.streamStalls(r.nextInt(20));
    }
    b.interruptionCause(
        dev.tierscope.core.span.InterruptionCause.values()[
            r.nextInt(dev.tierscope.core.span.InterruptionCause.values().length)]);
  }
}
