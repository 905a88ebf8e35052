package dev.tierscope.api.control;

import dev.tierscope.api.alerting.AlertingProperties;
import dev.tierscope.api.alerting.WebhookSignature;
import dev.tierscope.core.control.ControlSignal;
import dev.tierscope.core.control.SignalPublisher;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers each change of a class's decision to the webhooks of the alert pushes ({@code
 * tierscope.api.alerting.webhooks}), signed as the alerts are, for receivers that want to know when
 * Tierscope starts or stops restricting a class (a chat channel, an incident tool).
 *
 * <p>Only changes go out, not the periodic republishing: this publisher remembers the decision it
 * last delivered per (tenant, class), counting a class never delivered as admitted, and posts when
 * the decision differs. A failed delivery is tried again the next time the round hands the signal
 * over (at the latest at the next republish). A new leader starts with nothing delivered, so it
 * sends each restriction in force once more; {@code X-Tierscope-Delivery} (tenant, class, since and
 * decision) is the same for both, so receivers can drop the repeat. It never throws: a webhook that
 * is down must not stop the signals reaching the topic.
 */
final class WebhookSignalPublisher implements SignalPublisher {

  private static final Logger log = LoggerFactory.getLogger(WebhookSignalPublisher.class);

  private final List<AlertingProperties.Webhook> webhooks;
  private final JsonMapper json;
  private final Clock clock;
  private final BiConsumer<String, Boolean> outcomes;
  private final HttpClient http;
  private final Map<String, String> delivered = new HashMap<>();

  /**
   * @param outcomes told each delivery's webhook host and whether it was accepted (for metrics)
   */
  WebhookSignalPublisher(
      List<AlertingProperties.Webhook> webhooks,
      JsonMapper json,
      Clock clock,
      BiConsumer<String, Boolean> outcomes) {
    this.webhooks = List.copyOf(webhooks);
    this.json = json;
    this.clock = clock;
    this.outcomes = outcomes;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Override
  public synchronized void publish(List<ControlSignal> signals) {
    for (ControlSignal s : signals) {
      String previous = delivered.getOrDefault(s.key(), "admit");
      if (previous.equals(s.decision())) {
        continue;
      }
      if (deliver(s, previous)) {
        delivered.put(s.key(), s.decision());
      }
    }
  }

  /** The body of a delivery: the change and the signal as {@code GET /api/v1/control} shows it. */
  Map<String, Object> body(ControlSignal s, String previous, Instant now) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", "1");
    body.put("kind", "control");
    body.put("id", deliveryId(s));
    body.put("tenant", s.tenant());
    body.put("class", s.trafficClass());
    body.put("previous", previous);
    body.put("decision", s.decision());
    body.put("signal", SignalView.of(s));
    body.put("sentAt", now);
    return body;
  }

  static String deliveryId(ControlSignal s) {
    return s.key() + "@" + s.since().toEpochMilli() + ":" + s.decision();
  }

  private boolean deliver(ControlSignal s, String previous) {
    Instant now = clock.instant();
    byte[] bytes = json.writeValueAsBytes(body(s, previous, now));
    String timestamp = Long.toString(now.getEpochSecond());
    boolean all = true;
    for (AlertingProperties.Webhook w : webhooks) {
      HttpRequest request =
          HttpRequest.newBuilder(w.url())
              .timeout(w.timeout())
              .header("Content-Type", "application/json")
              .header("X-Tierscope-Event", "control")
              .header("X-Tierscope-Timestamp", timestamp)
              .header(
                  "X-Tierscope-Signature",
                  "sha256=" + WebhookSignature.sign(w.secret(), timestamp, bytes))
              .header("X-Tierscope-Delivery", deliveryId(s))
              .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
              .build();
      boolean ok = send(request, w);
      outcomes.accept(w.url().getHost(), ok);
      all &= ok;
    }
    return all;
  }

  private boolean send(HttpRequest request, AlertingProperties.Webhook w) {
    try {
      HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 == 2) {
        return true;
      }
      log.warn("control webhook {} answered {}", w.url().getHost(), r.statusCode());
      return false;
    } catch (IOException e) {
      log.warn("control webhook {} unreachable: {}", w.url().getHost(), e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
