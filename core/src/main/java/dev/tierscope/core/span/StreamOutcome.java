package dev.tierscope.core.span;

import dev.tierscope.conventions.SpanAttributes.StreamOutcomes;

/**
 * How a streamed response ended (SPAN-CONVENTIONS.md, "Streams"): read from {@code
 * tierscope.stream.outcome} by {@link #fromAttribute}, or derived when absent by {@link #derived}.
 *
 * <p>The order of the constants is stored in assembly snapshots (their ordinals): add new ones at
 * the end only.
 */
public enum StreamOutcome {
  /** Not a stream, or nothing reported. */
  NONE(null),
  COMPLETED(StreamOutcomes.COMPLETED),
  /** Broke after it started: reset, timeout, upstream error. */
  INTERRUPTED(StreamOutcomes.INTERRUPTED),
  /** The user stopped it; not an interruption. */
  CANCELLED(StreamOutcomes.CANCELLED);

  private final String attributeValue;

  StreamOutcome(String attributeValue) {
    this.attributeValue = attributeValue;
  }

  /** The value of {@code tierscope.stream.outcome} that states this outcome; null for NONE. */
  public String attributeValue() {
    return attributeValue;
  }

  /**
   * The outcome a {@code tierscope.stream.outcome} value states, or null when the value is absent
   * or not one of the convention's (the outcome is then {@link #derived}).
   */
  public static StreamOutcome fromAttribute(String value) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case StreamOutcomes.COMPLETED -> COMPLETED;
      case StreamOutcomes.INTERRUPTED -> INTERRUPTED;
      case StreamOutcomes.CANCELLED -> CANCELLED;
      default -> null;
    };
  }

  /**
   * The outcome of a span that stated none: {@link #NONE} when it was not streamed; a streamed span
   * with status ERROR after its first token was {@link #INTERRUPTED}; otherwise {@link #COMPLETED}.
   */
  public static StreamOutcome derived(boolean streamed, boolean error, boolean firstTokenReported) {
    if (!streamed) {
      return NONE;
    }
    return error && firstTokenReported ? INTERRUPTED : COMPLETED;
  }
}
