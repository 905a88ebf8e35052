package dev.tierscope.simulator;

/** The request shapes the simulator generates, sent as {@code tierscope.workflow}. */
public enum Workflow {
  /** Plain chat: policy check, then the model. */
  CHAT("chat"),
  /** Retrieval-augmented chat: policy, a retrieval (which may miss and fall back), the model. */
  RAG("rag"),
  /** An agent: policy, a chain of tool calls, the model. */
  AGENT("agent"),
  /** Summarising a long document: fetch it (a retrieval), then a long prefill and a long answer. */
  BATCH_SUMMARISATION("batch_summarisation");

  private final String value;

  Workflow(String value) {
    this.value = value;
  }

  /** The workflow name on the wire. */
  public String value() {
    return value;
  }

  /** The workflow named {@code value} (its wire name or enum name, any case). */
  public static Workflow parse(String value) {
    for (Workflow w : values()) {
      if (w.value.equalsIgnoreCase(value) || w.name().equalsIgnoreCase(value)) {
        return w;
      }
    }
    if ("batch".equalsIgnoreCase(value)) {
      return BATCH_SUMMARISATION;
    }
    throw new IllegalArgumentException(
        "unknown workflow '" + value + "' (chat, rag, agent, batch_summarisation)");
  }
}
