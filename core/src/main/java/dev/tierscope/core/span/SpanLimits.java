package dev.tierscope.core.span;

/**
 * Bounds on the strings a {@link Span} carries, applied by {@link Span.Builder} whoever builds the
 * span (the ingest from OTLP, the aggregator from Kafka), so a runaway value never reaches a
 * message, a summary or a label.
 */
public final class SpanLimits {

  private SpanLimits() {}

  /** Longest workflow name kept, in chars. */
  public static final int MAX_WORKFLOW_CHARS = 64;

  /** Longest tool name kept, in chars. */
  public static final int MAX_TOOL_NAME_CHARS = 64;

  /** Longest client path, protocol version and connection type kept, in chars. */
  public static final int MAX_EDGE_VALUE_CHARS = 32;

  /**
   * Longest model name kept, in chars. Not bounded by the conventions; 128 holds every provider's
   * model ids and keeps a runaway value out of the Kafka message.
   */
  public static final int MAX_MODEL_CHARS = 128;

  /** At most {@code max} chars, never splitting a surrogate pair; "" for null. */
  public static String truncate(String s, int max) {
    if (s == null) {
      return "";
    }
    if (s.length() <= max) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, cut);
  }
}
