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
  /**
   * Requests that no span and no class rule classified, counted in the fallback class. An unknown
   * {@code tierscope.class} counts as none: such a request is classified by a rule when one
   * matches, else it is one of these; either way it is also {@link #CLASS_UNKNOWN}.
   */
  CLASS_FALLBACK("class_fallback"),
  /** Requests a class rule classified, per rule name (the counter's dimension). */
  CLASS_RULE("class_rule"),
  /** Spans that arrived after the allowed lateness, not assembled. */
  LATE_SPANS("late_spans"),
  /** Spans received twice for the same trace (a client retry), assembled once. */
  DUPLICATE_SPANS("duplicate_spans"),
  /** Spans refused because their trace already held the most spans or bytes a trace may have. */
  SPANS_OVER_TRACE_CAP("spans_over_trace_cap"),

  // Attribution inputs (core/README.md, "Attribution"). "Decomposed" requests have edge, mesh and
  // model
  // components; "tail" requests violated their class's TTFT threshold. Sums are microseconds.
  DECOMPOSED("decomposed"),
  EDGE_MICROS("edge_micros"),
  MESH_MICROS("mesh_micros"),
  MODEL_MICROS("model_micros"),
  QUEUE_MICROS("queue_micros"),
  TAIL_REQUESTS("tail_requests"),
  TAIL_DECOMPOSED("tail_decomposed"),
  TAIL_EDGE_MICROS("tail_edge_micros"),
  TAIL_MESH_MICROS("tail_mesh_micros"),
  TAIL_MODEL_MICROS("tail_model_micros"),
  TAIL_QUEUE_MICROS("tail_queue_micros"),
  /** Requests per client path (the dimension: direct, vpn, sase, mobile or unknown). */
  CLIENT_PATH("client_path"),
  /** Tail requests per client path. */
  TAIL_CLIENT_PATH("tail_client_path"),
  /** Requests whose transport fell back to an older protocol. */
  PROTOCOL_FALLBACKS("protocol_fallbacks"),
  TAIL_PROTOCOL_FALLBACKS("tail_protocol_fallbacks"),
  /** Transport retransmissions seen by clients, summed. */
  RETRANSMITS("retransmits"),
  TAIL_RETRANSMITS("tail_retransmits"),
  /** Requests per dominant mesh role (the dimension: retrieval, tool, policy, internal). */
  MESH_DOMINANT("mesh_dominant"),
  TAIL_MESH_DOMINANT("tail_mesh_dominant"),

  // Admission control (what gateways reported doing, tierscope.admission and .degradation).
  /** Requests per admission decision (the dimension: admitted, deferred, shed). */
  ADMISSION("admission"),
  /** Requests served degraded, per level (the dimension: 1, 2, 3). */
  DEGRADED("degraded"),

  // Stream continuity (streamed requests only).
  /** Streams that reported their stalls (the denominator of the stall rate). */
  STALL_REPORTS("stall_reports"),
  /** Streams with at least one stall. */
  STALLED_STREAMS("stalled_streams"),
  /** Stalls (gaps between chunks above the stall threshold), summed over streams. */
  STALLS("stalls"),
  /**
   * Interrupted streams per cause (the dimension: idle_timeout, upstream_reset, network,
   * server_error, unknown); they add up to {@link #INTERRUPTED}. Cancels are not among them.
   */
  INTERRUPTION_CAUSE("interruption_cause");

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
