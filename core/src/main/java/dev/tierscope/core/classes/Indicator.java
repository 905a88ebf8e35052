package dev.tierscope.core.classes;

/**
 * What an objective is about: one of the four SLIs (TTFT, tool-chain latency, stream interruption,
 * retrieval fallback), or one of the TTFT components (edge, mesh, model, model queue). The ids are
 * the names a spec file uses (docs/slo-spec.md, "SLI").
 */
public enum Indicator {
  TTFT("ttft", Shape.LATENCY, false),
  STREAM_INTERRUPTION("stream_interruption", Shape.FAILURE_RATIO, false),
  TOOLCHAIN_LATENCY("toolchain_latency", Shape.LATENCY, false),
  RETRIEVAL_FALLBACK("retrieval_fallback", Shape.FAILURE_RATIO, false),
  EDGE("edge", Shape.LATENCY, true),
  MESH("mesh", Shape.LATENCY, true),
  MODEL("model", Shape.LATENCY, true),
  MODEL_QUEUE("model_queue", Shape.LATENCY, true);

  /** How an objective on the indicator is stated. */
  public enum Shape {
    /** A latency at or under a threshold, for a target fraction of events. */
    LATENCY,
    /** A fraction of bad events (interrupted streams, fallbacks) kept under 1 - target. */
    FAILURE_RATIO
  }

  private final String id;
  private final Shape shape;
  private final boolean component;

  Indicator(String id, Shape shape, boolean component) {
    this.id = id;
    this.shape = shape;
    this.component = component;
  }

  /** The spec file's name, e.g. {@code stream_interruption}. */
  public String id() {
    return id;
  }

  public Shape shape() {
    return shape;
  }

  /** True for the TTFT components, false for the four SLIs every class has. */
  public boolean component() {
    return component;
  }

  /** The indicator with this id, or null. */
  public static Indicator fromId(String id) {
    for (Indicator i : values()) {
      if (i.id.equals(id)) {
        return i;
      }
    }
    return null;
  }

  /** The ids of the indicators of one shape, comma separated, for error messages. */
  public static String ids(Shape shape) {
    StringBuilder b = new StringBuilder();
    for (Indicator i : values()) {
      if (i.shape == shape) {
        b.append(b.length() == 0 ? "" : ", ").append(i.id);
      }
    }
    return b.toString();
  }
}
