package dev.tierscope.core.window;

/**
 * A distribution recorded into a histogram per window: a latency in microseconds, or for the
 * fan-out metrics ({@link #RETRIEVALS_PER_REQUEST}, {@link #TOOL_CALLS_PER_REQUEST}) a count per
 * request.
 */
public enum Metric {
  TTFT("ttft"),
  EDGE("edge"),
  MESH("mesh"),
  MODEL("model"),
  MODEL_QUEUE("model_queue"),
  TOOLCHAIN("toolchain_latency"),
  /**
   * Latency of the tool chains that failed (also in {@link #TOOLCHAIN}), so that a failed chain
   * counts as one bad event whatever its latency.
   */
  TOOLCHAIN_FAILED("toolchain_failed"),
  /** End to end: the request's earliest span start to its latest span end, microseconds. */
  E2E("e2e"),
  /** Retrieval spans per request (a count, 0 included: every request records one value). */
  RETRIEVALS_PER_REQUEST("retrievals_per_request"),
  /** Tool spans per request (a count, 0 included: every request records one value). */
  TOOL_CALLS_PER_REQUEST("tool_calls_per_request"),

  // Stream continuity (SPAN-CONVENTIONS.md, "Streams"), streamed requests only.
  /** Per stream that reported it: the largest gap between two consecutive chunks. */
  STREAM_MAX_GAP("stream_max_gap"),
  /**
   * Per interrupted stream, by cause: the time into the stream at which it broke (the reporting
   * span's start to its end). A fixed idle timeout shows up as a spike at one duration.
   */
  STREAM_CUT_IDLE_TIMEOUT("stream_cut_idle_timeout"),
  STREAM_CUT_UPSTREAM_RESET("stream_cut_upstream_reset"),
  STREAM_CUT_NETWORK("stream_cut_network"),
  STREAM_CUT_SERVER_ERROR("stream_cut_server_error"),
  /** Interrupted streams that named no cause (or one outside the closed set). */
  STREAM_CUT_UNKNOWN("stream_cut_unknown"),
  /** Per stream the user cancelled (not an interruption): the time into the stream. */
  STREAM_CUT_CANCELLED("stream_cut_cancelled");

  private final String id;

  Metric(String id) {
    this.id = id;
  }

  /** True for a count per request, false for a latency in microseconds. */
  public boolean isCount() {
    return this == RETRIEVALS_PER_REQUEST || this == TOOL_CALLS_PER_REQUEST;
  }

  /** The stable name stored in the database and used by the API. */
  public String id() {
    return id;
  }

  /**
   * The histogram of the time into the stream at which streams with this interruption cause broke;
   * {@link #STREAM_CUT_CANCELLED} is for cancels, which have no cause.
   *
   * @throws IllegalArgumentException for {@link InterruptionCause#NONE}
   */
  public static Metric streamCut(dev.tierscope.core.span.InterruptionCause cause) {
    return switch (cause) {
      case IDLE_TIMEOUT -> STREAM_CUT_IDLE_TIMEOUT;
      case UPSTREAM_RESET -> STREAM_CUT_UPSTREAM_RESET;
      case NETWORK -> STREAM_CUT_NETWORK;
      case SERVER_ERROR -> STREAM_CUT_SERVER_ERROR;
      case UNKNOWN -> STREAM_CUT_UNKNOWN;
      case NONE -> throw new IllegalArgumentException("a stream that was not interrupted");
    };
  }

  /** The metric with this stored name. */
  public static Metric fromId(String id) {
    for (Metric m : values()) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown metric '" + id + "'");
  }
}
