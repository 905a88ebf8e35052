package dev.tierscope.accuracy;

import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one faulted phase of a sweep switches on: one fault kind, two at once (a mixed fault), or
 * nothing (a healthy phase compared with the healthy phase before it).
 *
 * @param kinds the faults switched on together; empty for a healthy comparison
 */
public record Scenario(List<FaultKind> kinds) {

  /** The name of the healthy comparison in tables. */
  public static final String HEALTHY = "healthy";

  public Scenario {
    kinds = List.copyOf(kinds);
  }

  /** A healthy phase against a healthy phase. */
  public static Scenario healthy() {
    return new Scenario(List.of());
  }

  /** One fault. */
  public static Scenario of(FaultKind kind) {
    return new Scenario(List.of(kind));
  }

  /** Two faults at once. */
  public static Scenario mixed(FaultKind a, FaultKind b) {
    return new Scenario(List.of(a, b));
  }

  /** Every fault kind of the edge, mesh and model tiers, one scenario each. */
  public static List<Scenario> singleFaults() {
    List<Scenario> out = new ArrayList<>();
    for (FaultKind k : FaultKind.values()) {
      out.add(of(k));
    }
    return out;
  }

  /**
   * The three tier pairs, each with one representative fault per tier: the fault that hits every
   * request of its tier (edge latency, retrieval slowdown, model queue saturation).
   */
  public static List<Scenario> mixedPairs() {
    return List.of(
        mixed(FaultKind.EDGE_LATENCY, FaultKind.MESH_RETRIEVAL_SLOWDOWN),
        mixed(FaultKind.EDGE_LATENCY, FaultKind.MODEL_QUEUE_SATURATION),
        mixed(FaultKind.MESH_RETRIEVAL_SLOWDOWN, FaultKind.MODEL_QUEUE_SATURATION));
  }

  /** {@code healthy}, a fault's name, or two names joined with {@code +}. */
  public String name() {
    if (kinds.isEmpty()) {
      return HEALTHY;
    }
    StringBuilder s = new StringBuilder();
    for (FaultKind k : kinds) {
      s.append(s.length() == 0 ? "" : "+").append(k.value());
    }
    return s.toString();
  }

  /** Whether this is the healthy comparison. */
  public boolean isHealthy() {
    return kinds.isEmpty();
  }

  /**
   * The tiers whose TTFT component the faults move (a stream interruption moves none), lowercase.
   */
  public Set<String> expectedTiers() {
    Set<String> out = new TreeSet<>();
    for (FaultKind k : kinds) {
      if (k.movesTtft()) {
        out.add(k.tier().name().toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  /** The expected verdict as the table shows it: a tier, two tiers joined with +, or none. */
  public String expectedText() {
    Set<String> t = expectedTiers();
    return t.isEmpty() ? "none" : String.join("+", t);
  }

  /** The tiers of the simulator, as attribution names them. */
  static String tierName(Tier t) {
    return t.name().toLowerCase(Locale.ROOT);
  }
}
