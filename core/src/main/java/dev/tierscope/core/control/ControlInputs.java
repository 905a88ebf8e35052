package dev.tierscope.core.control;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one evaluation of a tenant reads: a {@link ClassReading} per class over the fast
 * window, and the tenant's request rate now and before.
 *
 * @param tenant tenant
 * @param windowFrom start of the fast window (window starts), inclusive
 * @param windowTo end of the fast window, exclusive
 * @param classes per class, in configuration order
 * @param requestsPerSecond the tenant's requests (every class, refused ones included) per second
 *     over the load window, which ends where the fast window starts
 * @param baselineRequestsPerSecond the same over the baseline window before the fast window
 */
public record ControlInputs(
    String tenant,
    Instant windowFrom,
    Instant windowTo,
    Map<String, ClassReading> classes,
    double requestsPerSecond,
    double baselineRequestsPerSecond) {

  public ControlInputs {
    if (tenant == null || tenant.isEmpty()) {
      throw new IllegalArgumentException("tenant required");
    }
    if (!windowFrom.isBefore(windowTo)) {
      throw new IllegalArgumentException("window must not be empty");
    }
    classes = Collections.unmodifiableMap(new LinkedHashMap<>(classes));
    if (!(requestsPerSecond >= 0) || !(baselineRequestsPerSecond >= 0)) {
      throw new IllegalArgumentException("rates must be >= 0");
    }
  }

  /** The reading of {@code trafficClass}, or null. */
  public ClassReading reading(String trafficClass) {
    return classes.get(trafficClass);
  }
}
