package dev.tierscope.core.span;

import dev.tierscope.conventions.SpanAttributes.InterruptionCauses;

/**
 * Why an interrupted stream broke ({@code tierscope.stream.interruption_cause}, SPAN-CONVENTIONS.md
 * "Streams"). A user's cancel is not an interruption and has no cause.
 *
 * <p>The order of the constants is stored in assembly snapshots (their ordinals): add new ones at
 * the end only.
 */
public enum InterruptionCause {
  /** Not interrupted. */
  NONE(""),
  /** Interrupted, cause not reported (or a value outside the closed set). */
  UNKNOWN("unknown"),
  IDLE_TIMEOUT(InterruptionCauses.IDLE_TIMEOUT),
  UPSTREAM_RESET(InterruptionCauses.UPSTREAM_RESET),
  NETWORK(InterruptionCauses.NETWORK),
  SERVER_ERROR(InterruptionCauses.SERVER_ERROR);

  private final String id;

  InterruptionCause(String id) {
    this.id = id;
  }

  /** The attribute value, and the dimension of the window counter; empty for {@link #NONE}. */
  public String id() {
    return id;
  }

  /**
   * The cause an attribute value names; {@link #UNKNOWN} for null or a value outside the closed set
   * (never a new dimension).
   */
  public static InterruptionCause fromAttribute(String value) {
    if (value != null) {
      for (InterruptionCause c : values()) {
        if (c.ordinal() > UNKNOWN.ordinal() && c.id.equals(value)) {
          return c;
        }
      }
    }
    return UNKNOWN;
  }

  /** The cause with this id ({@link #id()}), e.g. read back from a stored counter dimension. */
  public static InterruptionCause fromId(String id) {
    for (InterruptionCause c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown interruption cause '" + id + "'");
  }
}
