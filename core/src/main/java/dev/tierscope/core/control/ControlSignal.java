package dev.tierscope.core.control;

import java.time.Instant;
import java.util.List;

/**
 * The admission and degradation signal of one (tenant, class): what a gateway should do with the
 * class's requests now, since when, why, and the evidence (the {@code GET /api/v1/control} entry
 * and the {@code tierscope.control.v1} record).
 *
 * @param tenant tenant
 * @param trafficClass class
 * @param action admit, degrade, defer or shed
 * @param degradationLevel 1 to 3 with {@link Action#DEGRADE}, else 0
 * @param since when the class got this action and level
 * @param evaluatedAt when the policy last confirmed it
 * @param expiresAt after this, without a newer signal, a gateway admits (fail open)
 * @param reasons one or two sentences for people
 * @param evidence the readings it was derived from
 */
public record ControlSignal(
    String tenant,
    String trafficClass,
    Action action,
    int degradationLevel,
    Instant since,
    Instant evaluatedAt,
    Instant expiresAt,
    List<String> reasons,
    Evidence evidence) {

  public ControlSignal {
    if (action == Action.DEGRADE && (degradationLevel < 1 || degradationLevel > Step.MAX_LEVEL)) {
      throw new IllegalArgumentException("degrade needs a level of 1 to 3");
    }
    if (action != Action.DEGRADE && degradationLevel != 0) {
      throw new IllegalArgumentException(action.id() + " has no degradation level");
    }
    reasons = List.copyOf(reasons);
  }

  /** The Kafka key of the signal's record: {@code tenant/class}. */
  public String key() {
    return key(tenant, trafficClass);
  }

  /** The Kafka key of (tenant, class): {@code tenant/class}. */
  public static String key(String tenant, String trafficClass) {
    return tenant + "/" + trafficClass;
  }

  /** Whether the action and level equal {@code other}'s (the rest may differ). */
  public boolean sameDecision(ControlSignal other) {
    return other != null && action == other.action && degradationLevel == other.degradationLevel;
  }

  /** {@code admit}, {@code degrade-2}, {@code defer} or {@code shed}. */
  public String decision() {
    return decision(action, degradationLevel);
  }

  static String decision(Action action, int level) {
    return action == Action.DEGRADE ? "degrade-" + level : action.id();
  }
}
