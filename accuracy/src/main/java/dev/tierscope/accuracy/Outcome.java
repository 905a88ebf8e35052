package dev.tierscope.accuracy;

import dev.tierscope.core.attribution.Attribution;
import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.attribution.TierFinding;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One judged attribution of a sweep: a phase of one seed at one intensity, what the attribution
 * said and what the ground truth expected.
 *
 * @param seed the simulator seed
 * @param intensity the faults' intensity (1 for the healthy comparison)
 * @param scenario what the phase switched on
 * @param attribution what the calculator answered
 * @param exemplars exemplars of a single faulted phase judged (0 for other scenarios)
 * @param exemplarsOnFaultedTier of those, the ones whose dominant tier is the faulted tier
 */
public record Outcome(
    long seed,
    double intensity,
    Scenario scenario,
    Attribution attribution,
    int exemplars,
    int exemplarsOnFaultedTier) {

  /** An outcome without exemplars judged. */
  public Outcome(long seed, double intensity, Scenario scenario, Attribution attribution) {
    this(seed, intensity, scenario, attribution, 0, 0);
  }

  /** The verdict: a tier, {@code none} or {@code insufficient_data}. */
  public String verdict() {
    return attribution.verdict().id();
  }

  /** Every tier the attribution named. */
  public Set<String> named() {
    Set<String> out = new TreeSet<>();
    for (TierFinding f : attribution.found()) {
      out.add(f.tier().id());
    }
    return out;
  }

  /**
   * Right when the verdict is the faulted tier (one fault), names both faulted tiers (two at once),
   * or is {@code none} (healthy, or a fault that leaves TTFT alone).
   */
  public boolean correct() {
    Set<String> expected = scenario.expectedTiers();
    if (expected.isEmpty()) {
      return verdict().equals("none");
    }
    if (expected.size() == 1) {
      return expected.contains(verdict());
    }
    return named().containsAll(expected) && expected.contains(verdict());
  }

  /**
   * Whether the verdict alone is right: {@code none} when nothing moved TTFT, else one of the
   * faulted tiers (for two faults at once, either is a right dominant tier).
   */
  public boolean verdictRight() {
    Set<String> expected = scenario.expectedTiers();
    return expected.isEmpty() ? verdict().equals("none") : expected.contains(verdict());
  }

  /** Some tier was named that the faults did not move. */
  public boolean falseAlarm() {
    for (String t : named()) {
      if (!scenario.expectedTiers().contains(t)) {
        return true;
      }
    }
    return false;
  }

  /** One line for the sweep's log. */
  public String line() {
    return String.format(
        Locale.ROOT,
        "%s seed %-5d x%-4s %-48s expected %-10s got %-10s p95 %5.0f vs %5.0f ms, %4d req,"
            + " %3d tail | conf %.2f | edge %.2f mesh %.2f model %.2f",
        correct() ? "ok  " : "MISS",
        seed,
        intensityText(intensity),
        scenario.name(),
        scenario.expectedText(),
        verdict() + (falseAlarm() ? "!" : ""),
        attribution.ttftP95CurrentMicros() / 1000.0,
        attribution.ttftP95BaselineMicros() / 1000.0,
        attribution.requests(),
        attribution.tailRequests(),
        attribution.confidence(),
        attribution.shares().get(Tier.EDGE),
        attribution.shares().get(Tier.MESH),
        attribution.shares().get(Tier.MODEL));
  }

  static String intensityText(double intensity) {
    return intensity == Math.rint(intensity)
        ? String.valueOf((long) intensity)
        : String.valueOf(intensity);
  }
}
