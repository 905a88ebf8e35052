package dev.tierscope.core.control;

import dev.tierscope.core.attribution.Tier;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policy's memory of one tenant between evaluations: where it stands on its ladder, since when,
 * and each class's current decision. Kept in the store by the leader, so that a new leader
 * continues the hysteresis and dwell instead of starting over.
 *
 * @param tenant tenant
 * @param rung steps of the ladder in effect, 0 when none
 * @param rungSince when the rung last changed
 * @param triggerClass the class whose distress raised the ladder, empty at rung 0
 * @param cause the tier that made it slow, null at rung 0
 * @param baselineRequestsPerSecond the tenant's request rate before the first step, 0 at rung 0
 * @param classes per class, its own degradation for a mesh slowdown and its current decision
 */
public record ControlState(
    String tenant,
    int rung,
    Instant rungSince,
    String triggerClass,
    Tier cause,
    double baselineRequestsPerSecond,
    Map<String, ClassState> classes) {

  /**
   * One class's part of the state.
   *
   * @param meshLevel degradation level the class took for its own mesh slowdown, 0 when none
   * @param meshSince when {@code meshLevel} last changed
   * @param action the class's current action
   * @param level its degradation level (with {@link Action#DEGRADE})
   * @param since when the action and level last changed
   */
  public record ClassState(
      int meshLevel, Instant meshSince, Action action, int level, Instant since) {}

  public ControlState {
    if (rung < 0) {
      throw new IllegalArgumentException("rung must be >= 0");
    }
    triggerClass = triggerClass == null ? "" : triggerClass;
    classes = Collections.unmodifiableMap(new LinkedHashMap<>(classes));
  }

  /** A tenant never evaluated: nothing restricted. */
  public static ControlState initial(String tenant, Instant now) {
    return new ControlState(tenant, 0, now, "", null, 0, Map.of());
  }
}
