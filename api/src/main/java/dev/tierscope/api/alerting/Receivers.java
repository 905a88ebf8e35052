package dev.tierscope.api.alerting;

import dev.tierscope.core.alerting.AlertState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends alerts over HTTP: a batch to every Alertmanager ({@code POST /api/v2/alerts}) and each
 * alert to every webhook, signed. Failures are reported, never thrown: the round re-sends what did
 * not arrive.
 *
 * <p>Webhook signature: {@code X-Tierscope-Signature: sha256=<hex>} is the HMAC-SHA256, keyed with
 * the webhook's secret, of {@code <X-Tierscope-Timestamp>.<body>} (the timestamp header in epoch
 * seconds, a dot, the raw body bytes), so a receiver can refuse forged and replayed deliveries.
 */
final class Receivers {

  private static final Logger log = LoggerFactory.getLogger(Receivers.class);

  /** Told the outcome of every request, for metrics. */
  interface Outcomes {
    Outcomes NONE = (receiver, ok) -> {};

    void sent(String receiver, boolean ok);
  }

  private final AlertingProperties properties;
  private final AlertPayloads payloads;
  private final JsonMapper json;
  private final HttpClient http;
  private final Outcomes outcomes;

  Receivers(
      AlertingProperties properties, AlertPayloads payloads, JsonMapper json, Outcomes outcomes) {
    this.properties = properties;
    this.payloads = payloads;
    this.json = json;
    this.outcomes = outcomes;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  boolean hasAlertmanager() {
    return !properties.alertmanager().urls().isEmpty();
  }

  boolean hasWebhooks() {
    return !properties.webhooks().isEmpty();
  }

  /**
   * Pushes {@code alerts} to every Alertmanager in one request each.
   *
   * @param firingEndsAt the {@code endsAt} of the firing ones
   * @return true when at least one Alertmanager accepted them
   */
  boolean push(List<AlertState> alerts, Instant firingEndsAt) {
    if (alerts.isEmpty() || !hasAlertmanager()) {
      return true;
    }
    List<Map<String, Object>> body = new ArrayList<>();
    for (AlertState s : alerts) {
      body.add(payloads.alertmanager(s, firingEndsAt));
    }
    byte[] bytes = json.writeValueAsBytes(body);
    boolean any = false;
    for (URI base : properties.alertmanager().urls()) {
      String b = base.toString();
      URI target =
          URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/api/v2/alerts");
      HttpRequest request =
          HttpRequest.newBuilder(target)
              .timeout(properties.alertmanager().timeout())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
              .build();
      boolean ok = send(request, "alertmanager " + AlertPayloads.describe(target));
      outcomes.sent("alertmanager", ok);
      any |= ok;
    }
    return any;
  }

  /**
   * Delivers one alert's status to every webhook.
   *
   * @return true when every webhook accepted it
   */
  boolean deliver(AlertState alert, Instant now) {
    byte[] body = json.writeValueAsBytes(payloads.webhook(alert, now));
    String timestamp = Long.toString(now.getEpochSecond());
    boolean all = true;
    for (AlertingProperties.Webhook w : properties.webhooks()) {
      HttpRequest request =
          HttpRequest.newBuilder(w.url())
              .timeout(w.timeout())
              .header("Content-Type", "application/json")
              .header("X-Tierscope-Timestamp", timestamp)
              .header("X-Tierscope-Signature", "sha256=" + sign(w.secret(), timestamp, body))
              .header("X-Tierscope-Delivery", AlertPayloads.episodeId(alert))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      boolean ok = send(request, "webhook " + AlertPayloads.describe(w.url()));
      outcomes.sent("webhook", ok);
      all &= ok;
    }
    return all;
  }

  /** Hex HMAC-SHA256 of {@code timestamp + "." + body} keyed with {@code secret}. */
  static String sign(String secret, String timestamp, byte[] body) {
    return WebhookSignature.sign(secret, timestamp, body);
  }

  private boolean send(HttpRequest request, String what) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 == 2) {
        return true;
      }
      log.warn("{} answered {}: {}", what, r.statusCode(), abbreviate(r.body()));
      return false;
    } catch (IOException e) {
      log.warn("{} unreachable: {}", what, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
