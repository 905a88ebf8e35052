package dev.tierscope.server.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.FaultSchedule;
import dev.tierscope.simulator.FaultWindow;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.TierscopeSink;
import dev.tierscope.testsupport.monitoring.AlertmanagerServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Tierscope pushes a burn-rate alert to a real Alertmanager (Debian's 0.25) and to a signed
 * webhook, from exactly one of two api instances, for a seeded model fault in real time (the
 * premium class's alert pair shortened to 1m/20s above 4 by configuration; the other classes
 * disabled).
 *
 * <p>While the fault lasts, Alertmanager's own API shows the alert with Tierscope's labels and
 * annotations (burn rates, windows, the {@code model} attribution verdict, dashboard and runbook
 * links); the leader is stopped and the other instance takes over; after recovery Alertmanager
 * notifies its receiver that the alert resolved and its API no longer lists it as active. The
 * webhook gets the firing and the resolution of each episode exactly once, whichever instance led,
 * and every signature verifies with the shared secret (and not with another).
 */
class AlertmanagerPushIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "webhook-secret-for-the-test";
  private static final String PREMIUM = "interactive_premium";

  /** One request received by the test's HTTP receivers. */
  record Received(String path, Map<String, String> headers, byte[] body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpServer receiver;
  private AlertmanagerServer alertmanager;
  private Deployment deployment;

  @AfterEach
  void stop() throws Exception {
    if (deployment != null) {
      deployment.close();
    }
    if (alertmanager != null) {
      alertmanager.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void aModelFaultIsPushedByOneLeaderToAlertmanagerAndASignedWebhookAndResolves() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String path : List.of("/am", "/hook")) {
      receiver.createContext(
          path,
          exchange -> {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            received.add(new Received(path, headers, exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
    }
    receiver.start();
    String receiverUrl = "http://127.0.0.1:" + receiver.getAddress().getPort();

    Path dir = Files.createTempDirectory(tmp(), "alertmanager");
    alertmanager =
        AlertmanagerServer.start(
            dir,
            """
            route:
              receiver: test
              group_by: [alertname, tenant, class, sli, severity, source]
              group_wait: 1s
              group_interval: 2s
              repeat_interval: 1h
            receivers:
              - name: test
                webhook_configs:
                  - url: %s/am
                    send_resolved: true
            """
                .formatted(receiverUrl));

    deployment = new Deployment("alert_push", Map.of());
    deployment.startAggregator("only");
    String ingest = deployment.startIngest();
    Map<String, String> alerting = new LinkedHashMap<>();
    alerting.put("tierscope.api.alerting.alertmanager.urls", alertmanager.url().toString());
    alerting.put("tierscope.api.alerting.webhooks[0].url", receiverUrl + "/hook");
    alerting.put("tierscope.api.alerting.webhooks[0].secret", SECRET);
    alerting.put("tierscope.api.alerting.interval", "2s");
    alerting.put("tierscope.api.alerting.resend-interval", "6s");
    alerting.put("tierscope.api.alerting.resolved-retention", "5m");
    String rule = "tierscope.api.alerting.classes." + PREMIUM + ".rules[0].";
    alerting.put(rule + "severity", "page");
    alerting.put(rule + "long-window", "1m");
    alerting.put(rule + "short-window", "20s");
    // above the simulator's everyday retrieval fallbacks (about twice the premium maximum)
    alerting.put(rule + "threshold", "4");
    alerting.put("tierscope.api.alerting.classes.standard_interactive.enabled", "false");
    alerting.put("tierscope.api.alerting.classes.deferred_batch.enabled", "false");
    List<ConfigurableApplicationContext> apis = new ArrayList<>();
    for (String name : List.of("api-a", "api-b")) {
      Map<String, String> p = new LinkedHashMap<>(alerting);
      p.put("tierscope.api.alerting.instance-name", name);
      apis.add(deployment.startApi(p));
    }

    // Real time: 45 s healthy (the baseline of the attribution), 45 s of a saturated model queue,
    // 50 s healthy.
    Duration healthy = Duration.ofSeconds(45);
    Duration fault = Duration.ofSeconds(45);
    SimulationConfig config =
        SimulationConfig.builder()
            .seed(15)
            .requestsPerSecond(30)
            .duration(healthy.plus(fault).plus(Duration.ofSeconds(50)))
            .speed(1)
            .faults(
                FaultSchedule.of(
                    new FaultWindow(FaultKind.MODEL_QUEUE_SATURATION, healthy, fault, 1.0)))
            .build();
    long started = System.nanoTime();
    CompletableFuture<Void> traffic =
        CompletableFuture.runAsync(
            () -> {
              try (TierscopeSink spans = TierscopeSink.create(15, b -> b.endpoint(ingest))) {
                Simulation.run(config, Clock.systemUTC(), RequestSink.of(spans));
                spans.flush(Duration.ofSeconds(30));
              }
            });

    // 1. Alertmanager has the alert, as Tierscope labels and annotates it
    JsonNode alert = awaitAlertmanagerAlert(a -> true, Duration.ofSeconds(180));
    System.out.printf(
        "Alertmanager has the alert %.0f s into the run: %s%n",
        (System.nanoTime() - started) / 1e9, alert);
    JsonNode labels = alert.path("labels");
    assertThat(labels.path("tenant").asText()).isEqualTo("default");
    assertThat(labels.path("class").asText()).isEqualTo(PREMIUM);
    assertThat(labels.path("sli").asText()).isEqualTo("ttft");
    assertThat(labels.path("severity").asText()).isEqualTo("page");
    assertThat(labels.path("source").asText()).isEqualTo("tierscope");
    JsonNode annotations = alert.path("annotations");
    assertThat(annotations.path("windows").asText()).startsWith("1m/20s>4.00");
    assertThat(annotations.path("burn_rates").asText()).matches("1m=[0-9.]+ 20s=[0-9.]+");
    assertThat(annotations.path("dashboard").asText())
        .contains("var-class=" + PREMIUM)
        .contains("var-tenant=default");
    assertThat(annotations.path("runbook_url").asText()).endsWith("/runbooks/slo-burn-rate.md");
    assertThat(alert.path("generatorURL").asText())
        .contains("/api/v1/budget?class=" + PREMIUM + "&sli=ttft&tenant=default");
    String startsAt = alert.path("startsAt").asText();

    // 2. exactly one instance leads; stopped, the other carries on with the same episode
    List<Double> leaders = new ArrayList<>();
    for (ConfigurableApplicationContext api : apis) {
      leaders.add(gauge(api, "tierscope.api.alerting.leader"));
    }
    assertThat(leaders).as("leader gauges of api-a, api-b").containsExactlyInAnyOrder(0.0, 1.0);
    ConfigurableApplicationContext leader = apis.get(leaders.indexOf(1.0));
    ConfigurableApplicationContext follower = apis.get(leaders.indexOf(0.0));
    leader.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (gauge(follower, "tierscope.api.alerting.leader") != 1.0) {
      assertThat(System.nanoTime()).as("the other instance took over").isLessThan(deadline);
      Thread.sleep(250);
    }
    System.out.printf("the leader stopped; the other instance leads%n");

    // 3. the model tier is named while the fault lasts
    JsonNode withVerdict =
        awaitAlertmanagerAlert(
            a -> "model".equals(a.path("annotations").path("attribution_verdict").asText()),
            Duration.ofSeconds(90));
    System.out.println("with the verdict: " + withVerdict);

    // 4. after recovery: Alertmanager notifies the resolution and lists the alert no more
    traffic.get(4, TimeUnit.MINUTES);
    Received resolved =
        awaitReceived(
            r -> r.path().equals("/am") && status(r).equals("resolved") && ttft(r),
            Duration.ofSeconds(120));
    JsonNode resolvedAlert = resolved.json().path("alerts").get(0);
    assertThat(resolvedAlert.path("labels").path("class").asText()).isEqualTo(PREMIUM);
    assertThat(resolvedAlert.path("status").asText()).isEqualTo("resolved");
    assertThat(alertmanagerAlerts()).as("active alerts in Alertmanager").isEmpty();
    assertThat(received)
        .filteredOn(r -> r.path().equals("/am") && ttft(r))
        .as("Alertmanager notified the firing first")
        .first()
        .satisfies(r -> assertThat(status(r)).isEqualTo("firing"));

    // 5. the webhook: the episode's firing and resolution once each, both signed
    awaitReceived(
        r -> r.path().equals("/hook") && webhookStatus(r).equals("resolved") && ttft(r),
        Duration.ofSeconds(30));
    List<Received> hooks =
        received.stream().filter(r -> r.path().equals("/hook") && ttft(r)).toList();
    // Very short windows may let an alert resolve and fire again (a new episode): each episode
    // fires once and resolves once, in that order, whichever instance led; the last one resolved.
    Map<String, List<String>> episodes = new LinkedHashMap<>();
    for (Received h : hooks) {
      episodes
          .computeIfAbsent(h.json().path("id").asText(), k -> new ArrayList<>())
          .add(webhookStatus(h));
    }
    System.out.println("webhook episodes: " + episodes);
    assertThat(episodes.values())
        .allSatisfy(e -> assertThat(e).containsExactly("firing", "resolved"));
    assertThat(webhookStatus(hooks.get(hooks.size() - 1))).isEqualTo("resolved");
    assertThat(
            hooks.stream()
                .map(h -> millis(jsonOf(h).path("startsAt").asText()))
                .anyMatch(t -> t.equals(millis(startsAt))))
        .as("the first episode Alertmanager showed is the webhook's")
        .isTrue();
    for (Received h : hooks) {
      String timestamp = h.headers().get("x-tierscope-timestamp");
      String signed = timestamp + "." + new String(h.body(), StandardCharsets.UTF_8);
      assertThat(h.headers().get("x-tierscope-signature"))
          .isEqualTo("sha256=" + hmac(SECRET, signed))
          .isNotEqualTo("sha256=" + hmac("another-secret", signed));
      JsonNode body = h.json();
      assertThat(body.path("labels").path("class").asText()).isEqualTo(PREMIUM);
      assertThat(body.path("annotations").has("burn_rates")).isTrue();
      assertThat(body.path("endsAt").isNull()).isEqualTo(webhookStatus(h).equals("firing"));
    }
  }

  private static JsonNode jsonOf(Received r) {
    try {
      return r.json();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode awaitAlertmanagerAlert(Predicate<JsonNode> condition, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode a : alertmanagerAlerts()) {
        if (condition.test(a)) {
          return a;
        }
      }
      deployment.checkAggregatorsAlive();
      Thread.sleep(500);
    }
    throw new AssertionError(
        "Alertmanager had no such alert in time; it has "
            + alertmanagerAlerts()
            + "\n"
            + alertmanager.logTail());
  }

  /** The active TierscopeErrorBudgetBurn alerts of TTFT, through Alertmanager's own API. */
  private List<JsonNode> alertmanagerAlerts() throws Exception {
    HttpResponse<String> r =
        alertmanager.get(
            "/api/v2/alerts?active=true&filter="
                + URLEncoder.encode(
                    "alertname=\"TierscopeErrorBudgetBurn\"", StandardCharsets.UTF_8)
                + "&filter="
                + URLEncoder.encode("sli=\"ttft\"", StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).forEach(out::add);
    return out;
  }

  private Received awaitReceived(Predicate<Received> condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Received r : received) {
        if (condition.test(r)) {
          return r;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("nothing such received in time; received " + received.size());
  }

  private static String status(Received r) {
    try {
      return r.json().path("status").asText();
    } catch (Exception e) {
      return "";
    }
  }

  /** The request is about the TTFT alert: a webhook body or Alertmanager's group of it. */
  private static boolean ttft(Received r) {
    try {
      JsonNode j = r.json();
      JsonNode labels = j.has("groupLabels") ? j.path("groupLabels") : j.path("labels");
      return labels.path("sli").asText().equals("ttft");
    } catch (Exception e) {
      return false;
    }
  }

  private static String webhookStatus(Received r) {
    return status(r);
  }

  private double gauge(ConfigurableApplicationContext api, String name) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(Deployment.url(api) + "/actuator/metrics/" + name))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("measurements").get(0).path("value").asDouble();
  }

  /** Alertmanager writes milliseconds in its API and nanoseconds in its notifications. */
  private static java.time.Instant millis(String rfc3339) {
    return java.time.Instant.parse(rfc3339).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  private static String hmac(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static Path tmp() throws java.io.IOException {
    String t = System.getenv("TIERSCOPE_TEST_TMP");
    Path d = t != null ? Path.of(t) : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(d);
    return d;
  }
}
