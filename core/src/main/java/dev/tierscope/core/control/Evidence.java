package dev.tierscope.core.control;

import dev.tierscope.core.attribution.Tier;
import java.time.Instant;

/**
 * What a signal was derived from: the tenant's position on its ladder, the class whose distress put
 * it there and why, and the readings of that class and of the signal's own class.
 *
 * @param rung steps of the tenant's ladder in effect, 0 when none
 * @param rungs steps of the tenant's ladder in all
 * @param triggerClass the class whose distress raised the ladder, empty at rung 0
 * @param cause the tier that made the trigger class slow, null at rung 0
 * @param windowFrom start of the fast window read (window starts), inclusive
 * @param windowTo end of the fast window, exclusive
 * @param trigger the trigger class's reading now, null at rung 0
 * @param own this class's reading now, null without requests in the window
 * @param requestsPerSecond the tenant's request rate over the load window
 * @param baselineRequestsPerSecond the tenant's request rate before the first restriction (0 at
 *     rung 0): restrictions are relaxed only once the rate is back near it
 */
public record Evidence(
    int rung,
    int rungs,
    String triggerClass,
    Tier cause,
    Instant windowFrom,
    Instant windowTo,
    ClassReading trigger,
    ClassReading own,
    double requestsPerSecond,
    double baselineRequestsPerSecond) {

  public Evidence {
    triggerClass = triggerClass == null ? "" : triggerClass;
  }
}
