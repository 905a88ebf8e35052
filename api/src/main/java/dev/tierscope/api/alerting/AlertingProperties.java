package dev.tierscope.api.alerting;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.alerting.*}: the burn-rate alert pairs of each class (also the windows of
 * {@code /api/v1/budget}, {@code /api/v1/alerts} and the Prometheus burn-rate gauges), and where
 * firing alerts are pushed.
 *
 * @param rules the alert pairs of every class without its own; empty: the SRE workbook's (page
 *     1h/5m above 14.4 and 6h/30m above 6, ticket 1d/2h above 3 and 3d/6h above 1)
 * @param classes per class name: {@code enabled} (pushed or not) and its own {@code rules}
 * @param alertmanager Alertmanager instances ({@code urls}) pushed to, and the request timeout
 * @param webhooks generic webhooks: {@code url} and the HMAC-SHA256 {@code secret} of each
 * @param interval time between two alerting rounds of the leading instance
 * @param resendInterval how often a firing or recently resolved alert is pushed again
 * @param resolvedRetention how long a resolved alert is still pushed before it is forgotten
 * @param publicUrl this API as people reach it: the base of an alert's source link and runbook
 * @param dashboardUrl link annotation of an alert; {@code {tenant}}, {@code {class}}, {@code {sli}}
 *     and {@code {severity}} are replaced
 * @param runbookUrl runbook annotation; empty: the runbook this API serves at {@code
 *     /runbooks/slo-burn-rate.md}
 * @param instanceName this instance in the leader table; empty: host name and process id
 */
@ConfigurationProperties("tierscope.api.alerting")
public record AlertingProperties(
    List<Rule> rules,
    Map<String, ClassPolicy> classes,
    @DefaultValue Alertmanager alertmanager,
    List<Webhook> webhooks,
    @DefaultValue("15s") Duration interval,
    @DefaultValue("1m") Duration resendInterval,
    @DefaultValue("15m") Duration resolvedRetention,
    @DefaultValue("http://localhost:8080") URI publicUrl,
    @DefaultValue(
            "http://localhost:3000/d/tierscope-slo-overview/slo-overview?var-class={class}&var-tenant={tenant}")
        String dashboardUrl,
    @DefaultValue("") String runbookUrl,
    @DefaultValue("") String instanceName) {

  /**
   * One multi-window pair, as in core's {@code AlertRule}.
   *
   * @param severity {@code page} or {@code ticket}
   * @param longWindow the long window, e.g. {@code 1h}
   * @param shortWindow the short window, e.g. {@code 5m}
   * @param threshold burn rate both windows must exceed
   */
  public record Rule(
      String severity, Duration longWindow, Duration shortWindow, double threshold) {}

  /**
   * @param enabled whether the class alerts: listed by {@code /api/v1/alerts} and pushed (its
   *     gauges are exported either way)
   * @param rules its own alert pairs; empty: {@code tierscope.api.alerting.rules}
   */
  public record ClassPolicy(@DefaultValue("true") boolean enabled, List<Rule> rules) {}

  /**
   * @param urls base URLs of Alertmanager instances, e.g. {@code http://alertmanager:9093}; every
   *     one gets every push (an HA pair deduplicates)
   * @param timeout per request
   */
  public record Alertmanager(List<URI> urls, @DefaultValue("10s") Duration timeout) {
    public Alertmanager {
      urls = urls == null ? List.of() : List.copyOf(urls);
    }
  }

  /**
   * @param url where the JSON is posted
   * @param secret key of the {@code X-Tierscope-Signature} HMAC-SHA256
   * @param timeout per request
   */
  public record Webhook(URI url, String secret, @DefaultValue("10s") Duration timeout) {}

  public AlertingProperties {
    rules = rules == null ? List.of() : List.copyOf(rules);
    classes = classes == null ? Map.of() : Map.copyOf(classes);
    webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    positive(interval, "interval");
    positive(resendInterval, "resend-interval");
    positive(alertmanager.timeout(), "alertmanager.timeout");
    if (resolvedRetention.isNegative()) {
      throw new IllegalStateException(
          "tierscope.api.alerting.resolved-retention must not be negative, was "
              + resolvedRetention);
    }
    for (URI u : alertmanager.urls()) {
      httpUrl(u, "alertmanager.urls");
    }
    for (int i = 0; i < webhooks.size(); i++) {
      Webhook w = webhooks.get(i);
      String name = "webhooks[" + i + "]";
      httpUrl(w.url(), name + ".url");
      if (w.secret() == null || w.secret().isBlank()) {
        throw new IllegalStateException(
            "tierscope.api.alerting."
                + name
                + ".secret must be set: receivers verify the"
                + " X-Tierscope-Signature with it");
      }
      positive(w.timeout(), name + ".timeout");
    }
    httpUrl(publicUrl, "public-url");
  }

  /** True when there is somewhere to push to. */
  public boolean hasReceivers() {
    return !alertmanager.urls().isEmpty() || !webhooks.isEmpty();
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalStateException(
          "tierscope.api.alerting." + name + " must be positive, was " + d);
    }
  }

  private static void httpUrl(URI u, String name) {
    if (u == null
        || u.getHost() == null
        || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
      throw new IllegalStateException(
          "tierscope.api.alerting." + name + " must be an http(s) URL, was " + u);
    }
  }
}
