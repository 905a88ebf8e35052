package dev.tierscope.core.window;

/** A latency recorded into a histogram per window, in microseconds. */
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
  E2E("e2e");

  private final String id;

  Metric(String id) {
    this.id = id;
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
