package dev.tierscope.core.span;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * The one table of the GenAI instrumentation dialects Tierscope understands besides its own
 * conventions and the OpenTelemetry GenAI ones: which attribute or span event of which library says
 * what about a span (its role, first token, queue time, streaming, tokens), in which unit.
 *
 * <p>Why a table: spans from OpenLLMetry (Traceloop), vLLM, Langfuse, OpenInference, OpenLIT and
 * Spring AI carry the same facts under their own names, several in seconds. The transports look a
 * name up here ({@link #attribute}, {@link #event}) and hand the value to {@link Span.Builder},
 * which applies the precedence rules; nothing else in Tierscope knows these names. Each row names
 * the file of the library's own source that defines it (docs/span-conventions.md, "GenAI
 * dialects").
 *
 * <p>Precedence, decided in {@link Span.Builder}: a value of Tierscope's or the OpenTelemetry GenAI
 * conventions always wins over a dialect's; among dialect rows for the same fact, the row that
 * comes first in {@link Mapping} wins (rows are listed in precedence order). A dialect never makes
 * up a value its library did not send: a span with no first-token signal has no first token (its
 * request counts as TTFT unknown).
 *
 * <pre>{@code
 * GenAiDialects.Mapping m = GenAiDialects.attribute("gen_ai.latency.time_to_first_token");
 * builder.dialectNumber(m, 0.42);   // vLLM: first token 420 ms after the span's start
 * }</pre>
 */
public final class GenAiDialects {

  private GenAiDialects() {}

  /** The instrumentation libraries of the table. */
  public enum Library {
    OPENLLMETRY("OpenLLMetry (Traceloop)"),
    VLLM("vLLM"),
    LANGFUSE("Langfuse"),
    OPENINFERENCE("OpenInference (Arize)"),
    OPENLIT("OpenLIT"),
    SPRING_AI("Spring AI");

    private final String displayName;

    Library(String displayName) {
      this.displayName = displayName;
    }

    /** The library's name as users know it. */
    public String displayName() {
      return displayName;
    }
  }

  /** What a row says about the span. */
  public enum Signal {
    /** The span's role, from a value of the library's span kind ({@link Mapping#role}). */
    ROLE,
    /**
     * The span is the model runtime's own request span (vLLM): its role is {@code model} whatever
     * its OpenTelemetry kind (vLLM makes it a SERVER span under the caller's trace).
     */
    RUNTIME_MODEL,
    /** The response was streamed (a bool). */
    STREAMED,
    /**
     * The response was streamed when a JSON object of request parameters has {@code "stream":
     * true}.
     */
    STREAMED_IN_JSON,
    /** First token, seconds after the span's start. */
    FIRST_TOKEN_SECONDS,
    /** First token, an ISO-8601 timestamp with offset (also inside JSON quotes). */
    FIRST_TOKEN_TIMESTAMP,
    /** First token: the earliest of these span events at or after the span's start. */
    FIRST_TOKEN_EVENT,
    /** Queue time before prefill, seconds. */
    QUEUE_SECONDS,
    /** Input tokens, a count. */
    INPUT_TOKENS,
    /** Output tokens, a count. */
    OUTPUT_TOKENS,
    /** Input and output tokens in a JSON object with the keys {@code input} and {@code output}. */
    TOKENS_IN_JSON,
    /**
     * The instrumentation's name ({@code telemetry.sdk.name} on the span): OpenLIT writes a time to
     * first token of 0 when it saw no chunk, so from OpenLIT a 0 counts as absent.
     */
    SDK_NAME
  }

  /** How a transport reads a row's value before handing it to the builder. */
  public enum ValueType {
    NUMBER,
    BOOL,
    TEXT,
    /** A span event, by name; its timestamp is the value. */
    EVENT
  }

  /**
   * The rows, in precedence order within each {@link Signal}. {@link #key} is the attribute (or
   * event) name exactly as the library writes it; {@link #source} the file of the library's source
   * that defines it.
   */
  public enum Mapping {
    // ---- vLLM's request span: any row of vLLM marks the span as the runtime's (role model)
    VLLM_TIME_IN_QUEUE(
        "gen_ai.latency.time_in_queue",
        Library.VLLM,
        Signal.QUEUE_SECONDS,
        ValueType.NUMBER,
        "vllm-project/vllm: vllm/tracing.py (SpanAttributes.GEN_AI_LATENCY_TIME_IN_QUEUE)"),
    VLLM_TIME_TO_FIRST_TOKEN(
        "gen_ai.latency.time_to_first_token",
        Library.VLLM,
        Signal.FIRST_TOKEN_SECONDS,
        ValueType.NUMBER,
        "vllm-project/vllm: vllm/tracing.py (SpanAttributes.GEN_AI_LATENCY_TIME_TO_FIRST_TOKEN)"),
    VLLM_E2E(
        "gen_ai.latency.e2e",
        Library.VLLM,
        Signal.RUNTIME_MODEL,
        ValueType.NUMBER,
        "vllm-project/vllm: vllm/tracing.py (SpanAttributes.GEN_AI_LATENCY_E2E)"),
    // ---- role (the first row that maps the span's value wins)
    OPENINFERENCE_SPAN_KIND(
        "openinference.span.kind",
        Library.OPENINFERENCE,
        Signal.ROLE,
        ValueType.TEXT,
        "Arize-ai/openinference:"
            + " js/packages/openinference-semantic-conventions/src/trace/SemanticConventions.ts"
            + " (OPENINFERENCE_SPAN_KIND, OpenInferenceSpanKind)"),
    LANGFUSE_OBSERVATION_TYPE(
        "langfuse.observation.type",
        Library.LANGFUSE,
        Signal.ROLE,
        ValueType.TEXT,
        "langfuse/langfuse-python: langfuse/_client/attributes.py (OBSERVATION_TYPE),"
            + " langfuse/_client/constants.py (observation types)"),
    TRACELOOP_SPAN_KIND(
        "traceloop.span.kind",
        Library.OPENLLMETRY,
        Signal.ROLE,
        ValueType.TEXT,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (TRACELOOP_SPAN_KIND, TraceloopSpanKindValues)"),
    LLM_REQUEST_TYPE(
        "llm.request.type",
        Library.OPENLLMETRY,
        Signal.ROLE,
        ValueType.TEXT,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (LLM_REQUEST_TYPE, LLMRequestTypeValues)"),
    SPRING_AI_KIND(
        "spring.ai.kind",
        Library.SPRING_AI,
        Signal.ROLE,
        ValueType.TEXT,
        "spring-projects/spring-ai:"
            + " spring-ai-commons/src/main/java/org/springframework/ai/observation/conventions/"
            + "SpringAiKind.java"),

    // ---- streaming
    LLM_IS_STREAMING(
        "llm.is_streaming",
        Library.OPENLLMETRY,
        Signal.STREAMED,
        ValueType.BOOL,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (LLM_IS_STREAMING)"),
    GEN_AI_IS_STREAMING(
        "gen_ai.is_streaming",
        Library.OPENLLMETRY,
        Signal.STREAMED,
        ValueType.BOOL,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (GEN_AI_IS_STREAMING), set in packages/opentelemetry-instrumentation-openai/"
            + "opentelemetry/instrumentation/openai/shared/__init__.py"),
    OPENINFERENCE_INVOCATION_PARAMETERS(
        "llm.invocation_parameters",
        Library.OPENINFERENCE,
        Signal.STREAMED_IN_JSON,
        ValueType.TEXT,
        "Arize-ai/openinference:"
            + " js/packages/openinference-semantic-conventions/src/trace/SemanticConventions.ts"
            + " (LLM_INVOCATION_PARAMETERS)"),

    // ---- first token (after VLLM_TIME_TO_FIRST_TOKEN above)
    LANGFUSE_COMPLETION_START_TIME(
        "langfuse.observation.completion_start_time",
        Library.LANGFUSE,
        Signal.FIRST_TOKEN_TIMESTAMP,
        ValueType.TEXT,
        "langfuse/langfuse-python: langfuse/_client/attributes.py"
            + " (OBSERVATION_COMPLETION_START_TIME, written by _serialize),"
            + " langfuse/_utils/serializer.py (serialize_datetime)"),
    GEN_AI_CONTENT_COMPLETION_CHUNK(
        "gen_ai.content.completion.chunk",
        Library.OPENLLMETRY,
        Signal.FIRST_TOKEN_EVENT,
        ValueType.EVENT,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (GEN_AI_CONTENT_COMPLETION_CHUNK), added per chunk in"
            + " packages/opentelemetry-instrumentation-openai/opentelemetry/instrumentation/openai/"
            + "shared/chat_wrappers.py"),
    LLM_CONTENT_COMPLETION_CHUNK(
        "llm.content.completion.chunk",
        Library.OPENLLMETRY,
        Signal.FIRST_TOKEN_EVENT,
        ValueType.EVENT,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (LLM_CONTENT_COMPLETION_CHUNK), added per chunk in"
            + " packages/opentelemetry-instrumentation-cohere/opentelemetry/instrumentation/cohere/"
            + "streaming.py"),
    OPENLIT_SDK_NAME(
        "telemetry.sdk.name",
        Library.OPENLIT,
        Signal.SDK_NAME,
        ValueType.TEXT,
        "openlit/openlit: sdk/python/src/openlit/__helpers.py (TELEMETRY_SDK_NAME 'openlit',"
            + " GEN_AI_SERVER_TTFT; calculate_ttft returns 0.0 without chunks)"),

    // ---- tokens
    GEN_AI_USAGE_PROMPT_TOKENS(
        "gen_ai.usage.prompt_tokens",
        Library.OPENLLMETRY,
        Signal.INPUT_TOKENS,
        ValueType.NUMBER,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (LLM_USAGE_PROMPT_TOKENS); also vllm-project/vllm: vllm/tracing.py"
            + " (GEN_AI_USAGE_PROMPT_TOKENS)"),
    GEN_AI_USAGE_COMPLETION_TOKENS(
        "gen_ai.usage.completion_tokens",
        Library.OPENLLMETRY,
        Signal.OUTPUT_TOKENS,
        ValueType.NUMBER,
        "traceloop/openllmetry:"
            + " packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py"
            + " (LLM_USAGE_COMPLETION_TOKENS); also vllm-project/vllm: vllm/tracing.py"
            + " (GEN_AI_USAGE_COMPLETION_TOKENS)"),
    LLM_TOKEN_COUNT_PROMPT(
        "llm.token_count.prompt",
        Library.OPENINFERENCE,
        Signal.INPUT_TOKENS,
        ValueType.NUMBER,
        "Arize-ai/openinference:"
            + " js/packages/openinference-semantic-conventions/src/trace/SemanticConventions.ts"
            + " (LLM_TOKEN_COUNT_PROMPT)"),
    LLM_TOKEN_COUNT_COMPLETION(
        "llm.token_count.completion",
        Library.OPENINFERENCE,
        Signal.OUTPUT_TOKENS,
        ValueType.NUMBER,
        "Arize-ai/openinference:"
            + " js/packages/openinference-semantic-conventions/src/trace/SemanticConventions.ts"
            + " (LLM_TOKEN_COUNT_COMPLETION)"),
    LANGFUSE_USAGE_DETAILS(
        "langfuse.observation.usage_details",
        Library.LANGFUSE,
        Signal.TOKENS_IN_JSON,
        ValueType.TEXT,
        "langfuse/langfuse-python: langfuse/_client/attributes.py (OBSERVATION_USAGE_DETAILS),"
            + " keys input/output as in langfuse/openai.py");

    private final String key;
    private final Library library;
    private final Signal signal;
    private final ValueType valueType;
    private final String source;

    Mapping(String key, Library library, Signal signal, ValueType valueType, String source) {
      this.key = key;
      this.library = library;
      this.signal = signal;
      this.valueType = valueType;
      this.source = source;
    }

    /** The attribute or event name, exactly as the library writes it. */
    public String key() {
      return key;
    }

    /** The library that defines it (the first, when several write the same name). */
    public Library library() {
      return library;
    }

    public Signal signal() {
      return signal;
    }

    /** How a transport reads the value. */
    public ValueType valueType() {
      return valueType;
    }

    /** The file of the library's own source that defines the name (repository: path). */
    public String source() {
      return source;
    }

    /**
     * For a {@link Signal#ROLE} row: the role a value of the library's span kind means, or null
     * when it means none of Tierscope's (the span stays {@code internal} unless something else
     * decides). Values are compared as the libraries write them (case included).
     */
    public SpanRole role(String value) {
      if (signal != Signal.ROLE || value == null) {
        return null;
      }
      return switch (this) {
        // OpenInferenceSpanKind: LLM, CHAIN, TOOL, RETRIEVER, RERANKER, EMBEDDING, AGENT,
        // GUARDRAIL, EVALUATOR, PROMPT.
        case OPENINFERENCE_SPAN_KIND ->
            switch (value) {
              case "LLM" -> SpanRole.MODEL;
              case "RETRIEVER" -> SpanRole.RETRIEVAL;
              case "TOOL" -> SpanRole.TOOL;
              case "GUARDRAIL" -> SpanRole.POLICY;
              case "CHAIN", "AGENT", "EMBEDDING", "RERANKER", "EVALUATOR", "PROMPT" ->
                  SpanRole.INTERNAL;
              default -> null;
            };
        // generation, embedding, span, agent, tool, chain, retriever, evaluator, guardrail, event.
        case LANGFUSE_OBSERVATION_TYPE ->
            switch (value) {
              case "generation" -> SpanRole.MODEL;
              case "retriever" -> SpanRole.RETRIEVAL;
              case "tool" -> SpanRole.TOOL;
              case "guardrail" -> SpanRole.POLICY;
              case "embedding", "span", "agent", "chain", "evaluator", "event" -> SpanRole.INTERNAL;
              default -> null;
            };
        // workflow, task, agent, tool, unknown.
        case TRACELOOP_SPAN_KIND ->
            switch (value) {
              case "tool" -> SpanRole.TOOL;
              case "workflow", "task", "agent" -> SpanRole.INTERNAL;
              default -> null;
            };
        // completion, chat, rerank, embedding, unknown.
        case LLM_REQUEST_TYPE ->
            switch (value) {
              case "chat", "completion" -> SpanRole.MODEL;
              case "rerank", "embedding" -> SpanRole.INTERNAL;
              default -> null;
            };
        // advisor, chat_client, tool_call, vector_store (chat models use gen_ai.operation.name).
        case SPRING_AI_KIND ->
            switch (value) {
              case "tool_call" -> SpanRole.TOOL;
              case "vector_store" -> SpanRole.RETRIEVAL;
              case "advisor", "chat_client" -> SpanRole.INTERNAL;
              default -> null;
            };
        default -> null;
      };
    }
  }

  private static final Map<String, Mapping> ATTRIBUTES = new HashMap<>();
  private static final Map<String, Mapping> EVENTS = new HashMap<>();

  static {
    for (Mapping m : Mapping.values()) {
      Mapping previous = (m.valueType == ValueType.EVENT ? EVENTS : ATTRIBUTES).put(m.key, m);
      if (previous != null) {
        throw new IllegalStateException("dialect name listed twice: " + m.key);
      }
    }
  }

  /** The row of a span attribute name, or null when no dialect defines it. */
  public static Mapping attribute(String key) {
    return ATTRIBUTES.get(key);
  }

  /** The row of a span event name, or null when no dialect defines it. */
  public static Mapping event(String name) {
    return EVENTS.get(name);
  }

  /** The value OpenLIT writes in {@code telemetry.sdk.name}. */
  static final String OPENLIT_SDK = "openlit";

  /**
   * An ISO-8601 timestamp with an offset ({@code 2026-11-30T23:41:02.123456Z}, {@code ...+01:00}),
   * also inside JSON quotes as Langfuse's Python SDK writes it, in epoch nanoseconds; {@link
   * Span#ABSENT} when it cannot be read.
   */
  static long epochNanos(String text) {
    if (text == null) {
      return Span.ABSENT;
    }
    String t = text.trim();
    if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
      t = t.substring(1, t.length() - 1);
    }
    if (t.isEmpty() || t.length() > 64) {
      return Span.ABSENT;
    }
    try {
      OffsetDateTime at = OffsetDateTime.parse(t);
      long seconds = at.toEpochSecond();
      if (seconds <= 0 || seconds > Long.MAX_VALUE / 1_000_000_000L - 1) {
        return Span.ABSENT;
      }
      return seconds * 1_000_000_000L + at.getNano();
    } catch (DateTimeParseException e) {
      return Span.ABSENT;
    }
  }

  /**
   * The integer value of {@code "key":} in a flat JSON object (whitespace allowed, a fraction cut),
   * or -1 when the key is missing or its value is not a non-negative number.
   */
  static long jsonCount(String json, String key) {
    int at = valueStart(json, key);
    if (at < 0) {
      return -1;
    }
    long n = 0;
    int digits = 0;
    for (int i = at; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      if (n > (Long.MAX_VALUE - 9) / 10) {
        return -1;
      }
      n = n * 10 + (c - '0');
      digits++;
    }
    return digits == 0 ? -1 : n;
  }

  /** True when a flat JSON object has {@code "key": true}. */
  static boolean jsonTrue(String json, String key) {
    int at = valueStart(json, key);
    return at >= 0 && json.startsWith("true", at);
  }

  /** Where the value of {@code "key"} starts (after the colon and spaces), or -1. */
  private static int valueStart(String json, String key) {
    if (json == null) {
      return -1;
    }
    String quoted = '"' + key + '"';
    int from = 0;
    while (true) {
      int k = json.indexOf(quoted, from);
      if (k < 0) {
        return -1;
      }
      int i = skipSpaces(json, k + quoted.length());
      if (i < json.length() && json.charAt(i) == ':') {
        return skipSpaces(json, i + 1);
      }
      from = k + 1;
    }
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }
}
