package dev.tierscope.core.span;

import dev.tierscope.conventions.SpanAttributes;

/**
 * A value of a span that {@link Span.Builder} may normalise rather than reject: free text that was
 * cut or cleaned ({@link SpanLimits#clean}), or a number beyond belief that counts as absent.
 *
 * <p>Each has a bounded {@link #key()} for metrics and the attribute it comes from for messages.
 */
public enum SpanField {
  SERVICE("service", SpanAttributes.SERVICE_NAME),
  OPERATION("operation", SpanAttributes.GEN_AI_OPERATION_NAME),
  WORKFLOW("workflow", SpanAttributes.WORKFLOW),
  TOOL_NAME("tool_name", SpanAttributes.GEN_AI_TOOL_NAME),
  MODEL("model", SpanAttributes.GEN_AI_REQUEST_MODEL),
  CLIENT_PATH("client_path", SpanAttributes.CLIENT_PATH),
  PROTOCOL_VERSION("protocol_version", SpanAttributes.NETWORK_PROTOCOL_VERSION),
  CONNECTION_TYPE("connection_type", SpanAttributes.NETWORK_CONNECTION_TYPE),
  REGION("region", SpanAttributes.CLOUD_REGION),
  /** A key or value of an attribute the class rules read (root spans). */
  RULE_ATTRIBUTE("rule_attribute", "class rule attributes"),
  /** Input or output tokens over {@link SpanLimits#MAX_TOKENS}. */
  TOKENS("tokens", SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS),
  /** A model queue time over {@link SpanLimits#MAX_DURATION_MICROS}. */
  MODEL_QUEUE("model_queue", SpanAttributes.MODEL_QUEUE_MS),
  /** A first token more than {@link SpanLimits#MAX_DURATION_MICROS} after the start. */
  FIRST_TOKEN("first_token", SpanAttributes.FIRST_TOKEN_EVENT),
  /** A largest gap between chunks over {@link SpanLimits#MAX_DURATION_MICROS}. */
  STREAM_GAP("stream_gap", SpanAttributes.STREAM_MAX_GAP_MS);

  private final String key;
  private final String attribute;

  SpanField(String key, String attribute) {
    this.key = key;
    this.attribute = attribute;
  }

  /** The lowercase metric key, e.g. {@code workflow}. */
  public String key() {
    return key;
  }

  /** The attribute (or event) it is read from, e.g. {@code tierscope.workflow}. */
  public String attribute() {
    return attribute;
  }

  int bit() {
    return 1 << ordinal();
  }
}
