package dev.tierscope.core.window;

/** A count kept per window. */
public enum Counter {
  REQUESTS("requests"),
  PARTIAL("partial"),
  STREAMS("streams"),
  INTERRUPTED("interrupted"),
  CANCELLED("cancelled"),
  RETRIEVALS("retrievals"),
  RETRIEVAL_MISSES("retrieval_misses"),
  RETRIEVAL_FALLBACKS("retrieval_fallbacks"),
  TOOL_CHAINS("tool_chains"),
  FAILED_CHAINS("failed_chains"),
  /** Per workflow (the counter's dimension). */
  INPUT_TOKENS("input_tokens"),
  /** Per workflow (the counter's dimension). */
  OUTPUT_TOKENS("output_tokens"),
  /** Requests whose TTFT had no client vantage point: edge unknown, counted not guessed. */
  EDGE_UNKNOWN("edge_unknown"),
  /** Requests that reported a class outside the closed set (counted in the fallback class). */
  CLASS_UNKNOWN("class_unknown"),
  /** Spans that arrived after the allowed lateness, not assembled. */
  LATE_SPANS("late_spans");

  private final String id;

  Counter(String id) {
    this.id = id;
  }

  /** The stable name stored in the database. */
  public String id() {
    return id;
  }

  /** The counter with this stored name. */
  public static Counter fromId(String id) {
    for (Counter c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown counter '" + id + "'");
  }
}
