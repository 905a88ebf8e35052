package dev.tierscope.api.alerting;

import dev.tierscope.core.alerting.AlertKey;
import dev.tierscope.core.alerting.AlertState;
import dev.tierscope.core.alerting.AlertStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a pushed alert looks like: its labels, its annotations with the dashboard and runbook links,
 * Alertmanager's {@code PostableAlert} and the webhook body. One place, so that Alertmanager and
 * webhooks describe an alert alike.
 */
final class AlertPayloads {

  /** The alert name of every pushed burn-rate alert (the rule file's alerts share it). */
  static final String ALERT_NAME = "TierscopeErrorBudgetBurn";

  /** Version of the webhook body. */
  static final String WEBHOOK_VERSION = "1";

  private final String publicUrl;
  private final String dashboardUrl;
  private final String runbookUrl;

  AlertPayloads(AlertingProperties properties) {
    String base = properties.publicUrl().toString();
    this.publicUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.dashboardUrl = properties.dashboardUrl();
    this.runbookUrl =
        properties.runbookUrl().isBlank()
            ? publicUrl + "/runbooks/slo-burn-rate.md"
            : properties.runbookUrl();
  }

  /** alertname, tenant, class, sli, severity, and source {@code tierscope}. */
  Map<String, String> labels(AlertKey k) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("alertname", ALERT_NAME);
    out.put("tenant", k.tenant());
    out.put("class", k.trafficClass());
    out.put("sli", k.sli().id());
    out.put("severity", k.severity());
    out.put("source", "tierscope");
    return out;
  }

  /** The state's annotations plus {@code dashboard} and {@code runbook_url}. */
  Map<String, String> annotations(AlertState s) {
    Map<String, String> out = new LinkedHashMap<>(s.annotations());
    if (!dashboardUrl.isBlank()) {
      out.put("dashboard", fill(dashboardUrl, s.key()));
    }
    out.put("runbook_url", fill(runbookUrl, s.key()));
    return out;
  }

  /** The budget of the alert's SLI in this API: Alertmanager's "Source" link. */
  String generatorUrl(AlertKey k) {
    return publicUrl
        + "/api/v1/budget?class="
        + encode(k.trafficClass())
        + "&sli="
        + encode(k.sli().id())
        + "&tenant="
        + encode(k.tenant());
  }

  /**
   * Alertmanager's {@code PostableAlert}. A firing alert ends at {@code firingEndsAt} unless pushed
   * again (so Alertmanager resolves it by itself if Tierscope stops); a resolved one at its
   * resolution.
   */
  Map<String, Object> alertmanager(AlertState s, Instant firingEndsAt) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("labels", labels(s.key()));
    out.put("annotations", annotations(s));
    out.put("startsAt", s.startsAt().toString());
    out.put("endsAt", (s.status() == AlertStatus.FIRING ? firingEndsAt : s.endsAt()).toString());
    out.put("generatorURL", generatorUrl(s.key()));
    return out;
  }

  /**
   * The webhook body: {@code id} names the episode (the same for its firing and its resolution, and
   * for a repeated delivery), {@code status} says which.
   */
  Map<String, Object> webhook(AlertState s, Instant sentAt) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", WEBHOOK_VERSION);
    out.put("id", episodeId(s));
    out.put("status", s.status().id());
    out.put("labels", labels(s.key()));
    out.put("annotations", annotations(s));
    out.put("startsAt", s.startsAt().toString());
    out.put("endsAt", s.endsAt() == null ? null : s.endsAt().toString());
    out.put("generatorURL", generatorUrl(s.key()));
    out.put("sentAt", sentAt.toString());
    return out;
  }

  static String episodeId(AlertState s) {
    AlertKey k = s.key();
    String text =
        String.join(
            "\n",
            k.tenant(),
            k.trafficClass(),
            k.sli().id(),
            k.severity(),
            s.startsAt().toString());
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static String fill(String template, AlertKey k) {
    return template
        .replace("{tenant}", encode(k.tenant()))
        .replace("{class}", encode(k.trafficClass()))
        .replace("{sli}", encode(k.sli().id()))
        .replace("{severity}", encode(k.severity()));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** For log lines: the host and path only. */
  static String describe(URI u) {
    return u.getScheme() + "://" + u.getAuthority() + u.getPath();
  }
}
