package dev.tierscope.core.alerting;

import dev.tierscope.core.slo.Sli;

/**
 * Identity of a pushed burn-rate alert: one per tenant, class, SLI and severity (the labels
 * Alertmanager groups and silences by).
 *
 * @param tenant tenant
 * @param trafficClass class
 * @param sli the SLI whose budget burns
 * @param severity {@code page} or {@code ticket}
 */
public record AlertKey(String tenant, String trafficClass, Sli sli, String severity) {

  public AlertKey {
    if (tenant == null || trafficClass == null || sli == null) {
      throw new IllegalArgumentException("tenant, class and sli are required");
    }
    if (!"page".equals(severity) && !"ticket".equals(severity)) {
      throw new IllegalArgumentException("severity must be page or ticket, was " + severity);
    }
  }
}
