package dev.tierscope.simulator;

import java.util.Locale;

/** The three tiers first-token latency is split into: {@code ttft = edge + mesh + model}. */
public enum Tier {
  /** Client path and transport: client-observed TTFT minus gateway-observed TTFT. */
  EDGE,
  /** Gateway processing, retrieval, tools and policy before the model's first token. */
  MESH,
  /** Model runtime: queue and prefill, from the model span's start to its first token. */
  MODEL;

  /** Lowercase name, as the attribution API reports a verdict ({@code edge}, ...). */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
