package dev.tierscope.core.attribution;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.Metric;

/** The three tiers time to first token splits into: {@code ttft = edge + mesh + model}. */
public enum Tier {
  EDGE("edge", Metric.EDGE, Counter.EDGE_MICROS, Counter.TAIL_EDGE_MICROS),
  MESH("mesh", Metric.MESH, Counter.MESH_MICROS, Counter.TAIL_MESH_MICROS),
  MODEL("model", Metric.MODEL, Counter.MODEL_MICROS, Counter.TAIL_MODEL_MICROS);

  private final String id;
  private final Metric metric;
  private final Counter micros;
  private final Counter tailMicros;

  Tier(String id, Metric metric, Counter micros, Counter tailMicros) {
    this.id = id;
    this.metric = metric;
    this.micros = micros;
    this.tailMicros = tailMicros;
  }

  /** The API's name. */
  public String id() {
    return id;
  }

  /** Histogram of this component (microseconds). */
  public Metric metric() {
    return metric;
  }

  /** Sum of this component over decomposed requests (microseconds). */
  public Counter micros() {
    return micros;
  }

  /** Sum of this component over decomposed tail requests (microseconds). */
  public Counter tailMicros() {
    return tailMicros;
  }
}
