package dev.tierscope.core.span;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.span.GenAiDialects.Mapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GenAiDialectsTest {

  static final long START = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
  static final long MS = 1_000_000L;

  /** A builder for a valid child span starting at START and ending a second later. */
  static Span.Builder span(SpanKind kind) {
    return Span.builder()
        .traceId(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
        .spanId(0x00f067aa0ba902b7L)
        .parentSpanId(0x0102030405060708L)
        .kind(kind)
        .startEpochNanos(START)
        .endEpochNanos(START + 1000 * MS);
  }

  /**
   * One row per dialect span shape: what the library writes, and what Tierscope must derive.
   *
   * @param firstTokenMs expected first token after the start in ms, -1 for none
   * @param queueMicros expected queue time, -1 for none
   */
  record Shape(
      String name,
      UnaryOperator<Span.Builder> write,
      SpanRole role,
      long firstTokenMs,
      boolean streamed,
      StreamOutcome outcome,
      long queueMicros,
      long inputTokens,
      long outputTokens) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Mapping m(String key) {
    Mapping m = GenAiDialects.attribute(key);
    return m != null ? m : GenAiDialects.event(key);
  }

  static Stream<Arguments> shapes() {
    return Stream.of(
            new Shape(
                "OpenLLMetry Python, streamed chat with chunk events",
                b ->
                    b.kind(SpanKind.CLIENT)
                        .dialectText(m("llm.request.type"), "chat")
                        .dialectBool(m("llm.is_streaming"), true)
                        .dialectNumber(m("gen_ai.usage.prompt_tokens"), 120)
                        .dialectNumber(m("gen_ai.usage.completion_tokens"), 19)
                        .dialectEvent(m("llm.content.completion.chunk"), START + 310 * MS)
                        .dialectEvent(m("llm.content.completion.chunk"), START + 350 * MS),
                SpanRole.MODEL,
                310,
                true,
                StreamOutcome.COMPLETED,
                -1,
                120,
                19),
            new Shape(
                "OpenLLMetry Python (new names), stream broken after its first chunk",
                b ->
                    b.operation("chat")
                        .dialectBool(m("gen_ai.is_streaming"), true)
                        .dialectEvent(m("gen_ai.content.completion.chunk"), START + 200 * MS)
                        .error(true),
                SpanRole.MODEL,
                200,
                true,
                StreamOutcome.INTERRUPTED,
                -1,
                0,
                0),
            new Shape(
                "OpenLLMetry, a stream that failed before any chunk",
                b ->
                    b.dialectText(m("llm.request.type"), "chat")
                        .dialectBool(m("llm.is_streaming"), true)
                        .error(true),
                SpanRole.MODEL,
                -1,
                true,
                StreamOutcome.COMPLETED,
                -1,
                0,
                0),
            new Shape(
                "OpenLLMetry, a tool task",
                b -> b.dialectText(m("traceloop.span.kind"), "tool"),
                SpanRole.TOOL,
                -1,
                false,
                StreamOutcome.NONE,
                -1,
                0,
                0),
            new Shape(
                "vLLM request span (SERVER under the caller's trace), seconds",
                b ->
                    b.kind(SpanKind.SERVER)
                        .dialectNumber(m("gen_ai.latency.time_in_queue"), 0.0125)
                        .dialectNumber(m("gen_ai.latency.time_to_first_token"), 0.42)
                        .dialectNumber(m("gen_ai.latency.e2e"), 1.0)
                        .dialectNumber(m("gen_ai.usage.prompt_tokens"), 1200)
                        .dialectNumber(m("gen_ai.usage.completion_tokens"), 350),
                SpanRole.MODEL,
                420,
                false,
                StreamOutcome.NONE,
                12_500,
                1200,
                350),
            new Shape(
                "Langfuse generation, completion start in JSON quotes",
                b ->
                    b.dialectText(m("langfuse.observation.type"), "generation")
                        .dialectText(
                            m("langfuse.observation.completion_start_time"),
                            "\"2026-01-01T00:00:00.275Z\"")
                        .dialectText(
                            m("langfuse.observation.usage_details"),
                            "{\"input\": 31, \"output\": 7, \"total\": 38}"),
                SpanRole.MODEL,
                275,
                false,
                StreamOutcome.NONE,
                -1,
                31,
                7),
            new Shape(
                "Langfuse generation, completion start with an offset, no quotes",
                b ->
                    b.dialectText(m("langfuse.observation.type"), "generation")
                        .dialectText(
                            m("langfuse.observation.completion_start_time"),
                            "2026-01-01T01:00:00.5+01:00"),
                SpanRole.MODEL,
                500,
                false,
                StreamOutcome.NONE,
                -1,
                0,
                0),
            new Shape(
                "Langfuse retriever",
                b -> b.dialectText(m("langfuse.observation.type"), "retriever"),
                SpanRole.RETRIEVAL,
                -1,
                false,
                StreamOutcome.NONE,
                -1,
                0,
                0),
            new Shape(
                "OpenInference LLM span, streamed: no first-token signal",
                b ->
                    b.dialectText(m("openinference.span.kind"), "LLM")
                        .dialectText(
                            m("llm.invocation_parameters"),
                            "{\"model\":\"gpt-4o-mini\",\"stream\":true}")
                        .dialectNumber(m("llm.token_count.prompt"), 9)
                        .dialectNumber(m("llm.token_count.completion"), 12),
                SpanRole.MODEL,
                -1,
                true,
                StreamOutcome.COMPLETED,
                -1,
                9,
                12),
            new Shape(
                "OpenInference RETRIEVER",
                b -> b.dialectText(m("openinference.span.kind"), "RETRIEVER"),
                SpanRole.RETRIEVAL,
                -1,
                false,
                StreamOutcome.NONE,
                -1,
                0,
                0),
            new Shape(
                "OpenInference TOOL",
                b -> b.dialectText(m("openinference.span.kind"), "TOOL"),
                SpanRole.TOOL,
                -1,
                false,
                StreamOutcome.NONE,
                -1,
                0,
                0),
            new Shape(
                "OpenInference CHAIN",
                b -> b.dialectText(m("openinference.span.kind"), "CHAIN"),
                SpanRole.INTERNAL,
                -1,
                false,
                StreamOutcome.NONE,
                -1,
                0,
                0),
            new Shape(
                "OpenLIT streamed chat (OpenTelemetry names, seconds)",
                b ->
                    b.operation("chat")
                        .dialectText(m("telemetry.sdk.name"), "openlit")
                        .streamed(true)
                        .serverTimeToFirstTokenSeconds(0.18)
                        .inputTokens(40)
                        .outputTokens(60),
                SpanRole.MODEL,
                180,
                true,
                StreamOutcome.COMPLETED,
                -1,
                40,
                60),
            new Shape(
                "OpenLIT stream that saw no chunk: its 0.0 is no signal",
                b ->
                    b.operation("chat")
                        .dialectText(m("telemetry.sdk.name"), "openlit")
                        .streamed(true)
                        .serverTimeToFirstTokenSeconds(0.0),
                SpanRole.MODEL,
                -1,
                true,
                StreamOutcome.COMPLETED,
                -1,
                0,
                0),
            new Shape(
                "Spring AI chat observation (gen_ai.request.stream as a string)",
                b -> b.operation("chat").streamed(true).inputTokens(5).outputTokens(6),
                SpanRole.MODEL,
                -1,
                true,
                StreamOutcome.COMPLETED,
                -1,
                5,
                6),
            new Shape(
                "Spring AI tool call",
                b -> b.dialectText(m("spring.ai.kind"), "tool_call"),
                SpanRole.TOOL,
                -1,
                false,
                StreamOutcome.NONE,
                -1,
                0,
                0))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void derivesWhatEachDialectReports(Shape shape) {
    Span s = shape.write().apply(span(SpanKind.INTERNAL)).build();

    assertThat(s.role()).as("role").isEqualTo(shape.role());
    assertThat(s.firstTokenEpochNanos())
        .as("first token")
        .isEqualTo(shape.firstTokenMs() < 0 ? Span.ABSENT : START + shape.firstTokenMs() * MS);
    assertThat(s.streamed()).as("streamed").isEqualTo(shape.streamed());
    assertThat(s.streamOutcome()).as("outcome").isEqualTo(shape.outcome());
    assertThat(s.modelQueueMicros()).as("queue").isEqualTo(shape.queueMicros());
    assertThat(s.inputTokens()).as("input tokens").isEqualTo(shape.inputTokens());
    assertThat(s.outputTokens()).as("output tokens").isEqualTo(shape.outputTokens());
  }

  @Test
  void conventionsWinOverEveryDialect() {
    Span s =
        span(SpanKind.INTERNAL)
            .role(SpanRole.GATEWAY)
            .dialectText(m("openinference.span.kind"), "LLM")
            .ttftMillis(100)
            .dialectNumber(m("gen_ai.latency.time_to_first_token"), 0.3)
            .dialectEvent(m("llm.content.completion.chunk"), START + 50 * MS)
            .streamed(false)
            .dialectBool(m("llm.is_streaming"), true)
            .modelQueueMillis(2)
            .dialectNumber(m("gen_ai.latency.time_in_queue"), 0.5)
            .inputTokens(1)
            .dialectNumber(m("gen_ai.usage.prompt_tokens"), 99)
            .outputTokens(2)
            .dialectNumber(m("llm.token_count.completion"), 98)
            .build();

    assertThat(s.role()).isEqualTo(SpanRole.GATEWAY);
    assertThat(s.firstTokenEpochNanos()).isEqualTo(START + 100 * MS);
    assertThat(s.streamed()).isFalse();
    assertThat(s.modelQueueMicros()).isEqualTo(2_000);
    assertThat(s.inputTokens()).isEqualTo(1);
    assertThat(s.outputTokens()).isEqualTo(2);
  }

  @Test
  void operationNameWinsOverADialectKindAndTheFirstRowWinsAmongDialects() {
    assertThat(
            span(SpanKind.INTERNAL)
                .operation("execute_tool")
                .dialectText(m("openinference.span.kind"), "LLM")
                .build()
                .role())
        .isEqualTo(SpanRole.TOOL);
    // openinference.span.kind is listed before langfuse.observation.type.
    assertThat(
            span(SpanKind.INTERNAL)
                .dialectText(m("langfuse.observation.type"), "tool")
                .dialectText(m("openinference.span.kind"), "RETRIEVER")
                .build()
                .role())
        .isEqualTo(SpanRole.RETRIEVAL);
    // vLLM's first token wins over Langfuse's, whatever the order they were read in.
    assertThat(
            span(SpanKind.INTERNAL)
                .dialectText(
                    m("langfuse.observation.completion_start_time"), "2026-01-01T00:00:00.9Z")
                .dialectNumber(m("gen_ai.latency.time_to_first_token"), 0.25)
                .build()
                .firstTokenEpochNanos())
        .isEqualTo(START + 250 * MS);
  }

  @Test
  void rootClientKindStillDecidesTheVantagePoint() {
    // A root CLIENT span is the client whatever the dialect says: its TTFT is what the user saw.
    Span s =
        span(SpanKind.CLIENT)
            .parentSpanId(0)
            .dialectText(m("llm.request.type"), "chat")
            .dialectEvent(m("llm.content.completion.chunk"), START + 80 * MS)
            .build();
    assertThat(s.role()).isEqualTo(SpanRole.CLIENT);
    assertThat(s.firstTokenEpochNanos()).isEqualTo(START + 80 * MS);
  }

  @Test
  void unreadableOrImpossibleDialectValuesCountAsAbsent() {
    Span s =
        span(SpanKind.INTERNAL)
            .dialectText(m("openinference.span.kind"), "llm") // values are case sensitive
            .dialectNumber(m("gen_ai.latency.time_to_first_token"), Double.NaN)
            .dialectNumber(m("gen_ai.latency.time_in_queue"), -1)
            .dialectText(m("langfuse.observation.completion_start_time"), "yesterday")
            .dialectText(m("langfuse.observation.usage_details"), "{\"input\": \"many\"}")
            .dialectEvent(m("llm.content.completion.chunk"), START - 1)
            .dialectBool(m("llm.is_streaming"), null)
            .build();
    assertThat(s.role()).isEqualTo(SpanRole.MODEL); // a vLLM attribute was present
    assertThat(s.hasFirstToken()).isFalse();
    assertThat(s.hasModelQueue()).isFalse();
    assertThat(s.inputTokens()).isZero();
    assertThat(s.streamed()).isFalse();

    assertThat(
            span(SpanKind.INTERNAL)
                .dialectText(
                    m("langfuse.observation.completion_start_time"), "2025-12-31T23:59:59Z")
                .build()
                .hasFirstToken())
        .as("a completion start before the span's start")
        .isFalse();
  }

  @Test
  void dialectValuesAreHeldToTheSameBounds() {
    Span.Builder b =
        span(SpanKind.INTERNAL)
            .dialectText(m("openinference.span.kind"), "LLM")
            .dialectNumber(m("llm.token_count.prompt"), 5e9)
            .dialectNumber(m("gen_ai.latency.time_in_queue"), 30 * 86_400.0);
    Span s = b.build();
    assertThat(s.inputTokens()).isZero();
    assertThat(s.hasModelQueue()).isFalse();
    assertThat(b.normalizedFields()).contains(SpanField.TOKENS, SpanField.MODEL_QUEUE);
  }

  @Test
  void aRowIsReadOnlyAsItsType() {
    assertThatThrownBy(() -> span(SpanKind.INTERNAL).dialectBool(m("llm.token_count.prompt"), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUMBER");
  }

  @Test
  void everyRowIsDocumentedWithItsSourceFile() throws Exception {
    Path doc = Path.of(System.getProperty("basedir", ".")).resolve("../docs/span-conventions.md");
    String text = Files.readString(doc);
    for (Mapping m : Mapping.values()) {
      assertThat(text).as("docs name %s", m.key()).contains("`" + m.key() + "`");
      String file = m.source().replaceAll("^[^:]*: ", "").replaceAll(" .*$", "");
      assertThat(text).as("docs cite %s for %s", file, m.key()).contains(file);
    }
  }

  @Test
  void namesAreUniqueAndLookedUpExactly() {
    assertThat(GenAiDialects.attribute("gen_ai.latency.time_in_queue"))
        .isEqualTo(Mapping.VLLM_TIME_IN_QUEUE);
    assertThat(GenAiDialects.attribute("llm.content.completion.chunk")).isNull();
    assertThat(GenAiDialects.event("llm.content.completion.chunk"))
        .isEqualTo(Mapping.LLM_CONTENT_COMPLETION_CHUNK);
    assertThat(GenAiDialects.attribute("gen_ai.request.stream")).as("a convention").isNull();
    assertThat(List.of(Mapping.values())).extracting(Mapping::key).doesNotHaveDuplicates();
  }
}
