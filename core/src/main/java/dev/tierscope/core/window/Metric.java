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
  TOOL_CALLS_PER_REQUEST("tool_calls_per_request");

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
