package dev.tierscope.core.span;

/**
 * Why a span cannot be used at all: the rules every reader applies, the ingest when a span arrives
 * and the aggregator again when it reads one from Kafka (which others can write).
 *
 * <p>Each has a bounded {@link #reason()} key for metrics and partial-success accounting.
 */
public enum SpanDefect {
  /** Trace id not 16 bytes, or all zero. */
  INVALID_TRACE_ID("invalid_trace_id"),
  /** Span id not 8 bytes, or all zero. */
  INVALID_SPAN_ID("invalid_span_id"),
  /** Parent span id neither empty nor 8 bytes. */
  INVALID_PARENT_SPAN_ID("invalid_parent_span_id"),
  /** Start time not after the epoch. */
  INVALID_START_TIME("invalid_start_time"),
  /** End time before start time. */
  END_BEFORE_START("end_before_start"),
  /**
   * Tenant not 1 to 128 of {@code [A-Za-z0-9_.:-]}, or the reserved {@code __overflow__} ({@link
   * SpanLimits#isValidTenant}).
   */
  INVALID_TENANT("invalid_tenant"),
  /** Ends further ahead of the reference clock than the allowed skew ({@link SpanTimeBounds}). */
  TOO_FAR_IN_FUTURE("too_far_in_future"),
  /** Starts further behind the reference clock than the maximum age ({@link SpanTimeBounds}). */
  TOO_OLD("too_old");

  private final String reason;

  SpanDefect(String reason) {
    this.reason = reason;
  }

  /** The lowercase reason key, e.g. {@code end_before_start}. */
  public String reason() {
    return reason;
  }
}
