package dev.tierscope.core.span;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** What a span means: the rules every transport relies on, decided by the builder once. */
class SpanTest {

  static final long START = 1_764_000_000_000_000_000L;
  static final long MILLI = 1_000_000L;

  static Span.Builder valid() {
    return Span.builder()
        .traceId(new TraceId(1, 2))
        .spanId(3)
        .startEpochNanos(START)
        .endEpochNanos(START + 1_000 * MILLI);
  }

  @Nested
  class Roles {
    @ParameterizedTest
    @CsvSource({
      "CLIENT, true, '', CLIENT",
      "CLIENT, false, '', INTERNAL",
      "CLIENT, false, chat, MODEL",
      "SERVER, true, chat, GATEWAY",
      "SERVER, false, chat, UNSPECIFIED",
      "INTERNAL, false, chat, MODEL",
      "INTERNAL, false, text_completion, MODEL",
      "INTERNAL, false, generate_content, MODEL",
      "INTERNAL, false, retrieval, RETRIEVAL",
      "INTERNAL, false, execute_tool, TOOL",
      "INTERNAL, false, embeddings, INTERNAL",
      "PRODUCER, true, '', INTERNAL",
      "UNSPECIFIED, true, execute_tool, TOOL"
    })
    void infersWhatOneSpanShows(SpanKind kind, boolean root, String operation, SpanRole role) {
      Span span = valid().kind(kind).parentSpanId(root ? 0 : 9).operation(operation).build();

      assertThat(span.role()).isEqualTo(role);
      assertThat(SpanRole.inferred(kind, root, operation)).isEqualTo(role);
    }

    @Test
    void keepsAStatedRoleOverInference() {
      assertThat(valid().kind(SpanKind.CLIENT).role(SpanRole.POLICY).build().role())
          .isEqualTo(SpanRole.POLICY);
      assertThat(valid().kind(SpanKind.SERVER).role(SpanRole.UNSPECIFIED).build().role())
          .isEqualTo(SpanRole.UNSPECIFIED);
    }

    @Test
    void aNullRoleLeavesItToInference() {
      assertThat(valid().kind(SpanKind.CLIENT).role(SpanRole.TOOL).role(null).build().role())
          .isEqualTo(SpanRole.CLIENT);
    }

    @ParameterizedTest
    @EnumSource(
        value = SpanRole.class,
        mode = EnumSource.Mode.EXCLUDE,
        names = {"UNSPECIFIED"})
    void readsEveryConventionRoleValue(SpanRole role) {
      assertThat(SpanRole.fromAttribute(role.attributeValue())).isEqualTo(role);
    }

    @Test
    void readsNoRoleFromAnUnknownOrAbsentValue() {
      assertThat(SpanRole.fromAttribute("Gateway")).isNull();
      assertThat(SpanRole.fromAttribute("")).isNull();
      assertThat(SpanRole.fromAttribute(null)).isNull();
      assertThat(SpanRole.UNSPECIFIED.attributeValue()).isNull();
    }
  }

  @Nested
  class FirstToken {
    @Test
    void isAbsentWhenNothingReportsIt() {
      Span span = valid().build();

      assertThat(span.firstTokenEpochNanos()).isEqualTo(Span.ABSENT);
      assertThat(span.firstTokenEpochMicros()).isEqualTo(Span.ABSENT);
      assertThat(span.hasFirstToken()).isFalse();
    }

    @Test
    void followsThePrecedenceOfTheConventions() {
      Span.Builder all =
          valid()
              .ttftMillis(400)
              .serverTimeToFirstTokenSeconds(0.3)
              .timeToFirstChunkSeconds(0.2)
              .firstTokenEvent(START + 100 * MILLI);

      assertThat(all.build().firstTokenEpochNanos()).isEqualTo(START + 100 * MILLI);
      assertThat(valid().ttftMillis(400).serverTimeToFirstTokenSeconds(0.3).build())
          .extracting(Span::firstTokenEpochNanos)
          .isEqualTo(START + 300 * MILLI);
      assertThat(valid().ttftMillis(400).timeToFirstChunkSeconds(0.2).build())
          .extracting(Span::firstTokenEpochNanos)
          .isEqualTo(START + 200 * MILLI);
      assertThat(valid().ttftMillis(400).build().firstTokenEpochNanos())
          .isEqualTo(START + 400 * MILLI);
    }

    @Test
    void aStatedFirstTokenOverridesEverySource() {
      Span span =
          valid()
              .firstTokenEvent(START + 100 * MILLI)
              .ttftMillis(400)
              .firstTokenEpochNanos(START + 7)
              .build();

      assertThat(span.firstTokenEpochNanos()).isEqualTo(START + 7);
    }

    @Test
    void takesTheFirstEventAtOrAfterTheStart() {
      Span span =
          valid()
              .firstTokenEvent(START - 1)
              .firstTokenEvent(START)
              .firstTokenEvent(START + 5)
              .build();

      assertThat(span.firstTokenEpochNanos()).isEqualTo(START);
    }

    @Test
    void needsTheStartBeforeAnEvent() {
      assertThatThrownBy(() -> Span.builder().firstTokenEvent(START))
          .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void treatsNegativeUnreadableAndOverflowingOffsetsAsAbsent() {
      assertThat(valid().timeToFirstChunkSeconds(-0.1).build().hasFirstToken()).isFalse();
      assertThat(valid().serverTimeToFirstTokenSeconds(Double.NaN).build().hasFirstToken())
          .isFalse();
      assertThat(valid().ttftMillis(Double.POSITIVE_INFINITY).build().hasFirstToken()).isFalse();
      assertThat(valid().ttftMillis(1e300).build().hasFirstToken()).isFalse();
      // An absent higher source falls through to the next.
      assertThat(valid().timeToFirstChunkSeconds(-1).ttftMillis(5).build().firstTokenEpochNanos())
          .isEqualTo(START + 5 * MILLI);
    }

    @Test
    void aLaterUnreadableValueOfTheSameAttributeClearsIt() {
      assertThat(valid().ttftMillis(5).ttftMillis(Double.NaN).build().hasFirstToken()).isFalse();
    }

    @Test
    void negativeStatedFirstTokenIsAbsent() {
      assertThat(valid().firstTokenEpochNanos(-5).build().firstTokenEpochNanos())
          .isEqualTo(Span.ABSENT);
    }
  }

  @Nested
  class StreamOutcomes {
    @ParameterizedTest
    @CsvSource({
      "false, false, false, NONE",
      "false, true, true, NONE",
      "true, false, false, COMPLETED",
      "true, false, true, COMPLETED",
      "true, true, false, COMPLETED",
      "true, true, true, INTERRUPTED"
    })
    void derivesTheOutcomeWhenNoneIsStated(
        boolean streamed, boolean error, boolean firstToken, StreamOutcome expected) {
      Span.Builder b = valid().streamed(streamed).error(error);
      if (firstToken) {
        b.firstTokenEvent(START + MILLI);
      }

      assertThat(b.build().streamOutcome()).isEqualTo(expected);
    }

    @Test
    void keepsAStatedOutcome() {
      Span span =
          valid()
              .streamed(true)
              .error(true)
              .firstTokenEvent(START + MILLI)
              .streamOutcome(StreamOutcome.CANCELLED)
              .build();

      assertThat(span.streamOutcome()).isEqualTo(StreamOutcome.CANCELLED);
    }

    @ParameterizedTest
    @EnumSource(
        value = StreamOutcome.class,
        mode = EnumSource.Mode.EXCLUDE,
        names = {"NONE"})
    void readsEveryConventionOutcomeValue(StreamOutcome outcome) {
      assertThat(StreamOutcome.fromAttribute(outcome.attributeValue())).isEqualTo(outcome);
      assertThat(StreamOutcome.fromAttribute("exploded")).isNull();
    }
  }

  @Nested
  class Validation {
    @Test
    void rejectsTraceIdOfWrongSizeOrAllZero() {
      assertDefect(
          valid().traceId(ByteBuffer.wrap(new byte[8])),
          SpanDefect.INVALID_TRACE_ID,
          "trace_id must be 16 bytes, got 8");
      assertDefect(
          valid().traceId(ByteBuffer.wrap(new byte[16])),
          SpanDefect.INVALID_TRACE_ID,
          "trace_id must not be all zero");
    }

    @Test
    void rejectsSpanIdOfWrongSizeOrAllZero() {
      assertDefect(
          valid().spanId(ByteBuffer.wrap(new byte[0])),
          SpanDefect.INVALID_SPAN_ID,
          "span_id must be 8 bytes, got 0");
      assertDefect(valid().spanId(0), SpanDefect.INVALID_SPAN_ID, "span_id must not be all zero");
    }

    @Test
    void rejectsParentSpanIdOfWrongSize() {
      assertDefect(
          valid().parentSpanId(ByteBuffer.wrap(new byte[4])),
          SpanDefect.INVALID_PARENT_SPAN_ID,
          "parent_span_id must be empty or 8 bytes, got 4");
    }

    @Test
    void rejectsStartNotAfterTheEpoch() {
      assertDefect(
          valid().startEpochNanos(0),
          SpanDefect.INVALID_START_TIME,
          "start_time_unix_nano must be positive, got 0");
      assertDefect(
          valid().startEpochNanos(-1),
          SpanDefect.INVALID_START_TIME,
          "start_time_unix_nano must be positive, got 18446744073709551615");
    }

    @Test
    void rejectsSpanWithEndBeforeStart() {
      assertDefect(
          valid().endEpochNanos(START - 1), SpanDefect.END_BEFORE_START, "end before start");
    }

    @Test
    void acceptsSpanThatEndsWhereItStarts() {
      assertThat(valid().endEpochNanos(START).defect()).isNull();
      assertThat(valid().endEpochNanos(START).build().endEpochNanos()).isEqualTo(START);
    }

    @Test
    void readsIdsFromBytesWithoutConsumingThem() {
      ByteBuffer trace = ByteBuffer.allocate(16).putLong(7).putLong(8).flip();
      ByteBuffer span = ByteBuffer.allocate(8).putLong(9).flip();
      ByteBuffer zeroParent = ByteBuffer.wrap(new byte[8]);

      Span s = valid().traceId(trace).spanId(span).parentSpanId(zeroParent).build();

      assertThat(s.traceId()).isEqualTo(new TraceId(7, 8));
      assertThat(s.spanId()).isEqualTo(9);
      assertThat(s.isRoot()).as("eight zero bytes mean no parent").isTrue();
      assertThat(trace.remaining()).isEqualTo(16);
    }

    @Test
    void theConstructorChecksToo() {
      Span ok = valid().build();

      assertThatThrownBy(
              () ->
                  new Span(
                      ok.traceId(),
                      ok.spanId(),
                      0,
                      "",
                      "t",
                      SpanRole.CLIENT,
                      SpanKind.CLIENT,
                      "",
                      "",
                      false,
                      "",
                      START,
                      START - 1,
                      Span.ABSENT,
                      false,
                      false,
                      StreamOutcome.NONE,
                      false,
                      false,
                      "",
                      Span.ABSENT,
                      0,
                      0,
                      "",
                      "",
                      "",
                      false,
                      0,
                      "",
                      Admission.NONE,
                      (int) Span.ABSENT,
                      "",
                      java.util.Map.of(),
                      false,
                      Span.ABSENT,
                      (int) Span.ABSENT,
                      InterruptionCause.NONE))
          .isInstanceOfSatisfying(
              InvalidSpanException.class,
              e -> assertThat(e.defect()).isEqualTo(SpanDefect.END_BEFORE_START));
    }

    private void assertDefect(Span.Builder b, SpanDefect defect, String message) {
      assertThat(b.defect()).isEqualTo(defect);
      assertThat(b.defectMessage()).isEqualTo(message);
      assertThatThrownBy(b::build)
          .isInstanceOfSatisfying(
              InvalidSpanException.class, e -> assertThat(e.defect()).isEqualTo(defect))
          .hasMessage(message);
    }
  }

  @Nested
  class AbsentAndBounds {
    @Test
    void defaultsTheTenant() {
      assertThat(valid().build().tenant()).isEqualTo("default");
      assertThat(valid().tenant("").build().tenant()).isEqualTo("default");
      assertThat(valid().tenant(null).build().tenant()).isEqualTo("default");
      assertThat(valid().tenant("acme").build().tenant()).isEqualTo("acme");
    }

    @Test
    void keepsAPresentZeroQueueTimeApartFromAnAbsentOne() {
      assertThat(valid().build().modelQueueMicros()).isEqualTo(Span.ABSENT);
      assertThat(valid().build().hasModelQueue()).isFalse();
      assertThat(valid().modelQueueMicros(0).build().modelQueueMicros()).isZero();
      assertThat(valid().modelQueueMicros(-5).build().modelQueueMicros()).isZero();
      assertThat(valid().modelQueueMillis(Double.NaN).build().modelQueueMicros()).isZero();
      assertThat(valid().modelQueueMillis(12.3456).build().modelQueueMicros()).isEqualTo(12_346);
    }

    @Test
    void clampsNegativeCounts() {
      Span span = valid().inputTokens(-1).outputTokens(Long.MIN_VALUE).retransmits(-3).build();

      assertThat(span.inputTokens()).isZero();
      assertThat(span.outputTokens()).isZero();
      assertThat(span.retransmits()).isZero();
      assertThat(valid().retransmits(1L << 40).build().retransmits()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void makesNullStringsEmpty() {
      Span span = valid().service(null).operation(null).workflow(null).model(null).build();

      assertThat(span.service()).isEmpty();
      assertThat(span.operation()).isEmpty();
      assertThat(span.workflow()).isEmpty();
      assertThat(span.model()).isEmpty();
    }

    @Test
    void cutsStringsToTheLimits() {
      Span span =
          valid()
              .workflow("w".repeat(100))
              .toolName("t".repeat(100))
              .model("m".repeat(200))
              .clientPath("p".repeat(40))
              .protocolVersion("v".repeat(40))
              .connectionType("c".repeat(40))
              .build();

      assertThat(span.workflow()).hasSize(SpanLimits.MAX_WORKFLOW_CHARS);
      assertThat(span.toolName()).hasSize(SpanLimits.MAX_TOOL_NAME_CHARS);
      assertThat(span.model()).hasSize(SpanLimits.MAX_MODEL_CHARS);
      assertThat(span.clientPath()).hasSize(SpanLimits.MAX_EDGE_VALUE_CHARS);
      assertThat(span.protocolVersion()).hasSize(SpanLimits.MAX_EDGE_VALUE_CHARS);
      assertThat(span.connectionType()).hasSize(SpanLimits.MAX_EDGE_VALUE_CHARS);
    }

    @Test
    void truncatesWithoutSplittingASurrogatePair() {
      String value = "w".repeat(63) + "\uD83D\uDE80" + "tail";

      assertThat(SpanLimits.truncate(value, 64)).isEqualTo("w".repeat(63));
      assertThat(SpanLimits.truncate(null, 64)).isEmpty();
    }

    @Test
    void givesMicrosecondsOfTheNanosecondTimes() {
      Span span =
          valid()
              .startEpochNanos(START + 1_999)
              .endEpochNanos(START + 5_001)
              .firstTokenEpochNanos(START + 2_500)
              .build();

      assertThat(span.startEpochMicros()).isEqualTo(START / 1_000 + 1);
      assertThat(span.endEpochMicros()).isEqualTo(START / 1_000 + 5);
      assertThat(span.firstTokenEpochMicros()).isEqualTo(START / 1_000 + 2);
    }
  }

  @Nested
  class HostileValues {
    @ParameterizedTest
    @CsvSource({
      "'a\u0000b'",
      "'acme tenant'",
      "'ümlaut'",
      "'__overflow__'",
      "'a/b'",
      "'tab\there'"
    })
    void rejectsATenantTheApiCouldNotRead(String tenant) {
      Span.Builder b = valid().tenant(tenant);

      assertThat(b.defect()).isEqualTo(SpanDefect.INVALID_TENANT);
      assertThat(b.defectMessage()).doesNotContain("\u0000").doesNotContain("\t");
      assertThatThrownBy(b::build)
          .isInstanceOfSatisfying(
              InvalidSpanException.class,
              e -> assertThat(e.defect()).isEqualTo(SpanDefect.INVALID_TENANT));
    }

    @Test
    void rejectsAnOversizedTenantAndSaysHowLongItWas() {
      Span.Builder b = valid().tenant("t".repeat(70_000));

      assertThat(b.defect()).isEqualTo(SpanDefect.INVALID_TENANT);
      assertThat(b.defectMessage())
          .startsWith("tenant must match [A-Za-z0-9_.:-]{1,128}, got 'tttt")
          .endsWith("...' (70000 chars)")
          .hasSizeLessThan(200);
      assertThat(valid().tenant("t".repeat(128)).build().tenant()).hasSize(128);
    }

    @Test
    void acceptsEveryCharacterOfThePattern() {
      String all = "azAZ09_.:-";

      assertThat(valid().tenant(all).build().tenant()).isEqualTo(all);
      assertThat(SpanLimits.isValidTenant(all)).isTrue();
      assertThat("acme:eu-1.prod_x").matches(SpanLimits.TENANT_PATTERN);
    }

    @Test
    void theConstructorRefusesAnInvalidTenantToo() {
      Span ok = valid().tenant("acme").build();

      assertThatThrownBy(() -> copyWithTenant(ok, "a\u0000b"))
          .isInstanceOfSatisfying(
              InvalidSpanException.class,
              e -> assertThat(e.defect()).isEqualTo(SpanDefect.INVALID_TENANT));
    }

    @Test
    void replacesControlCharactersAndUnpairedSurrogatesInFreeText() {
      Span.Builder b =
          valid()
              .service("svc\u0000")
              .operation("chat\u0007")
              .workflow("rag\n")
              .toolName("\uD800search")
              .model("gpt\uDC00")
              .clientPath("vpn\u009f")
              .protocolVersion("2")
              .connectionType("wifi");
      Span span = b.build();

      assertThat(span.service()).isEqualTo("svc\uFFFD");
      assertThat(span.operation()).isEqualTo("chat\uFFFD");
      assertThat(span.workflow()).isEqualTo("rag\uFFFD");
      assertThat(span.toolName()).isEqualTo("\uFFFDsearch");
      assertThat(span.model()).isEqualTo("gpt\uFFFD");
      assertThat(span.clientPath()).isEqualTo("vpn\uFFFD");
      assertThat(b.normalizedFields())
          .containsExactlyInAnyOrder(
              SpanField.SERVICE,
              SpanField.OPERATION,
              SpanField.WORKFLOW,
              SpanField.TOOL_NAME,
              SpanField.MODEL,
              SpanField.CLIENT_PATH);
    }

    @Test
    void keepsValidSurrogatePairsAndNamesWhatWasCut() {
      Span.Builder b = valid().workflow("\uD83D\uDE80 launch").service("s".repeat(200));
      Span span = b.build();

      assertThat(span.workflow()).isEqualTo("\uD83D\uDE80 launch");
      assertThat(span.service()).hasSize(SpanLimits.MAX_SERVICE_CHARS);
      assertThat(b.normalizedFields()).containsExactly(SpanField.SERVICE);
      assertThat(valid().workflow("rag").normalizedFields()).isEmpty();
    }

    @Test
    void treatsUnbelievableNumbersAsAbsent() {
      Span.Builder b =
          valid()
              .inputTokens(SpanLimits.MAX_TOKENS + 1)
              .outputTokens(Long.MAX_VALUE)
              .modelQueueMicros(Long.MAX_VALUE / 2)
              .firstTokenEpochNanos(Long.MAX_VALUE);
      Span span = b.build();

      assertThat(span.inputTokens()).isZero();
      assertThat(span.outputTokens()).isZero();
      assertThat(span.hasModelQueue()).isFalse();
      assertThat(span.hasFirstToken()).isFalse();
      assertThat(b.normalizedFields())
          .containsExactlyInAnyOrder(
              SpanField.TOKENS, SpanField.MODEL_QUEUE, SpanField.FIRST_TOKEN);
      assertThat(valid().inputTokens(SpanLimits.MAX_TOKENS).build().inputTokens())
          .isEqualTo(SpanLimits.MAX_TOKENS);
      assertThat(valid().modelQueueMillis(1e300).build().hasModelQueue()).isTrue();
    }

    private Span copyWithTenant(Span s, String tenant) {
      return new Span(
          s.traceId(),
          s.spanId(),
          s.parentSpanId(),
          s.service(),
          tenant,
          s.role(),
          s.kind(),
          s.operation(),
          s.trafficClass(),
          s.classUnknown(),
          s.workflow(),
          s.startEpochNanos(),
          s.endEpochNanos(),
          s.firstTokenEpochNanos(),
          s.error(),
          s.streamed(),
          s.streamOutcome(),
          s.retrievalHit(),
          s.retrievalFallback(),
          s.toolName(),
          s.modelQueueMicros(),
          s.inputTokens(),
          s.outputTokens(),
          s.model(),
          s.clientPath(),
          s.protocolVersion(),
          s.protocolFallback(),
          s.retransmits(),
          s.connectionType(),
          s.admission(),
          s.degradationLevel(),
          s.region(),
          s.ruleAttributes(),
          s.tenantAuthenticated(),
          s.streamMaxGapMicros(),
          s.streamStalls(),
          s.interruptionCause());
    }
  }

  @Test
  void traceIdRoundTripsThroughItsBytes() {
    TraceId id = TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736");

    assertThat(TraceId.fromBytes(id.toBytes())).isEqualTo(id);
    assertThat(id.toBytes()[0]).isEqualTo((byte) 0x4b);
    assertThat(new TraceId(0, 0).isZero()).isTrue();
  }
}
