package dev.tierscope.simulator;

import java.util.Locale;

/**
 * The faults the simulator can inject, each in one tier. All but {@link #STREAM_INTERRUPTION} slow
 * the first token through the component of their tier only, so an attribution must name that tier;
 * a stream interruption leaves TTFT alone and breaks streams after their first token (the {@code
 * stream_interruption} SLI), so the TTFT verdict for it should be {@code none}.
 *
 * <p>Every fault scales with an intensity (1.0 = the defaults described here); for a failover the
 * intensity is the share of the tier's calls that move to the secondary region.
 *
 * <p>New kinds go at the end: a fault's random stream is derived from its position.
 */
public enum FaultKind {
  /** Every client: +300 ms and lognormal jitter (median 150 ms) on the client path. */
  EDGE_LATENCY(Tier.EDGE, "extra latency and jitter on every client path"),
  /** Every client: 3% packet loss; each retransmission costs about two round trips or an RTO. */
  EDGE_LOSS(Tier.EDGE, "packet loss: retransmissions on the client path"),
  /** Clients on the VPN path only (15% by default): the concentrator adds ~600 ms and loss. */
  EDGE_VPN(Tier.EDGE, "a degraded VPN concentrator: only VPN clients slow down"),
  /** HTTP/3-capable clients: QUIC is blocked, 80% wait ~350 ms and fall back to HTTP/2. */
  EDGE_PROTOCOL_FALLBACK(Tier.EDGE, "UDP blocked: HTTP/3 falls back to HTTP/2 after a timeout"),
  /**
   * Clients behind tunnels (VPN, SASE, half of mobile, a tenth of direct): the first large response
   * packet is black-holed and stalls ~1.2 s until path-MTU detection, with retransmissions.
   */
  EDGE_MTU_BLACKHOLE(Tier.EDGE, "MTU black hole: tunnelled clients stall until PMTU probing"),
  /** Retrievals take ~600 ms more. */
  MESH_RETRIEVAL_SLOWDOWN(Tier.MESH, "retrieval (vector store) slowdown"),
  /** Retrievals miss 60% of the time; the fallback path (a broader search) costs ~500 ms. */
  MESH_RETRIEVAL_MISS(Tier.MESH, "retrieval misses served by a slow fallback path"),
  /** Each tool call times out with probability 35%, ending (failed) at the 1.5 s tool timeout. */
  MESH_TOOL_TIMEOUT(Tier.MESH, "tool calls time out"),
  /** The policy check (guardrail) takes ~500 ms more. */
  MESH_POLICY_LATENCY(Tier.MESH, "policy-check latency"),
  /** Requests queue ~900 ms more before prefill (interactive; batch three times as long). */
  MODEL_QUEUE_SATURATION(Tier.MODEL, "model runtime queue saturation"),
  /** Prefill runs five times slower. */
  MODEL_SLOW_PREFILL(Tier.MODEL, "slow prefill on the model runtime"),
  /** 8% of streams break at a random token after the first (the runtime drops them). */
  STREAM_INTERRUPTION(Tier.MODEL, "streams break after their first token"),
  /**
   * The model tier fails over to the secondary region ({@link Backend#MODEL_SECONDARY}): a moved
   * model call pays one inter-region round trip before its first token. The intensity is the share
   * of model calls moved (1 and above: all of them).
   */
  MODEL_FAILOVER(Tier.MODEL, "model tier fails over to the secondary region"),
  /**
   * The retrieval tier fails over to the secondary region ({@link Backend#RETRIEVAL_SECONDARY}): a
   * moved retrieval pays the inter-region round trip once per call it makes to its backend (three).
   * The intensity is the share of retrievals moved (1 and above: all of them).
   */
  RETRIEVAL_FAILOVER(Tier.MESH, "retrieval tier fails over to the secondary region");

  private final Tier tier;
  private final String description;

  FaultKind(Tier tier, String description) {
    this.tier = tier;
    this.description = description;
  }

  /** The tier the fault is injected in. */
  public Tier tier() {
    return tier;
  }

  /** Whether the fault moves traffic to another backend (the failovers). */
  public boolean failover() {
    return this == MODEL_FAILOVER || this == RETRIEVAL_FAILOVER;
  }

  /** Whether the fault is meant to move TTFT (all but {@link #STREAM_INTERRUPTION}). */
  public boolean movesTtft() {
    return this != STREAM_INTERRUPTION;
  }

  /** The SLI the fault is meant to move: {@code ttft} or {@code stream_interruption}. */
  public String sli() {
    return movesTtft() ? "ttft" : "stream_interruption";
  }

  /** One line for humans. */
  public String description() {
    return description;
  }

  /** The command-line name, e.g. {@code edge-latency}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The fault named {@code value} (command-line or enum name, any case). */
  public static FaultKind parse(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (FaultKind k : values()) {
      if (k.name().equals(v)) {
        return k;
      }
    }
    StringBuilder known = new StringBuilder();
    for (FaultKind k : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(k.value());
    }
    throw new IllegalArgumentException("unknown fault '" + value + "' (" + known + ")");
  }
}
