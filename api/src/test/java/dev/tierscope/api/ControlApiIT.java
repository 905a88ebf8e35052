package dev.tierscope.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.api.alerting.WebhookSignature;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.window.WindowAggregator;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresCheckpointStore;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Admission control across two api instances on one real PostgreSQL and a real broker: one leads
 * {@code control}; premium's model queue makes it shed batch; both instances serve the signal, over
 * HTTP and the event stream; the leader publishes it to the compacted topic; when the leader's
 * instance stops, the other continues from the stored state.
 */
class ControlApiIT {

  /** "Now" of both instances at the start; a clock the test moves. */
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:05Z");

  private static final String TENANT = "ctl";

  private static final MovableClock CLOCK = new MovableClock(NOW);
  private static DbSchema schema;
  private static HikariDataSource dataSource;
  private static String topic;
  private static final List<ConfigurableApplicationContext> apps = new ArrayList<>();
  private static final String SECRET = "control-webhook-secret";
  private static HttpServer webhook;

  /** A webhook delivery: its headers and raw body. */
  private record Delivery(Map<String, String> headers, byte[] body) {}

  private static final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void fillAndStart() throws IOException {
    schema = TestInfra.newSchema("control");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
    fill();
    topic = TestInfra.uniqueName("control");
    webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext(
        "/hook",
        ex -> {
          Map<String, String> headers = new HashMap<>();
          ex.getRequestHeaders()
              .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
          deliveries.add(new Delivery(headers, ex.getRequestBody().readAllBytes()));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    webhook.start();
    apps.add(start());
    apps.add(start());
  }

  @AfterAll
  static void stop() throws Exception {
    for (ConfigurableApplicationContext app : apps) {
      app.close();
    }
    if (webhook != null) {
      webhook.stop(0);
    }
    if (dataSource != null) {
      dataSource.close();
    }
    if (schema != null) {
      try (Connection c = TestInfra.connect(schema);
          Statement s = c.createStatement()) {
        s.execute("drop schema " + schema.schema() + " cascade");
      }
    }
  }

  /**
   * Five healthy minutes of the three classes before the fast window, then in its last two windows
   * premium requests of which one in twelve waited 1.5 s for the model: a burn rate just over 1,
   * the queue as the cause, so batch is shed (rung 2) and standard keeps its plan.
   */
  private static void fill() {
    TrafficClasses classes = TrafficClasses.defaults();
    WindowAggregator windows =
        new WindowAggregator(10_000, 2, c -> classes.get(c).objectives().ttftThresholdMicros());
    long fastFrom = NOW.minusSeconds(15).toEpochMilli() * 1000; // 09:59:50
    long from = fastFrom - 300_000_000L;
    int i = 0;
    for (long t = from; t < fastFrom + 20_000_000L; t += 50_000, i++) {
      Req r = new Req();
      r.tenant = TENANT;
      r.eventMicros = t;
      r.trafficClass =
          switch (i % 4) {
            case 0 -> "interactive_premium";
            case 1, 2 -> "standard_interactive";
            default -> "deferred_batch";
          };
      r.edge = 40_000 + (i % 7) * 3_000;
      r.mesh = 100_000 + (i % 5) * 7_000;
      r.queue = 5_000;
      r.model = 150_000 + r.queue;
      if (t >= fastFrom && r.trafficClass.equals("interactive_premium") && i % 48 == 0) {
        r.queue = 1_500_000;
        r.model = 150_000 + r.queue;
      }
      windows.record(r.summary());
    }
    new PostgresCheckpointStore(dataSource).commit("control-it", 1, List.of(), windows.drain());
  }

  private static ConfigurableApplicationContext start() {
    SpringApplication application = new SpringApplication(ApiApplication.class);
    application.setBannerMode(Banner.Mode.OFF);
    application.setDefaultProperties(Map.of("spring.config.name", ApiApplication.CONFIG_NAME));
    application.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("clock", CLOCK));
    return application.run(
        "--server.port=0",
        "--spring.datasource.url=" + schema.jdbcUrl(),
        "--spring.datasource.username=" + schema.user(),
        "--spring.datasource.password=" + schema.password(),
        "--spring.kafka.bootstrap-servers=" + TestInfra.bootstrapServers(),
        "--tierscope.control.kafka.topic=" + topic,
        "--tierscope.control.interval=200ms",
        "--tierscope.control.stream.poll=50ms",
        "--tierscope.api.alerting.webhooks[0].url=http://127.0.0.1:"
            + webhook.getAddress().getPort()
            + "/hook",
        "--tierscope.api.alerting.webhooks[0].secret=" + SECRET);
  }

  private static String url(ConfigurableApplicationContext app) {
    return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  private DocumentContext get(ConfigurableApplicationContext app, String pathAndQuery)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url(app) + pathAndQuery)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(pathAndQuery + " -> " + r.body()).isEqualTo(200);
    return JsonPath.parse(r.body());
  }

  private String batch(ConfigurableApplicationContext app) throws Exception {
    List<String> actions =
        get(app, "/api/v1/control?tenant=" + TENANT + "&class=deferred_batch")
            .read("$.signals[*].action");
    return actions.isEmpty() ? "none" : actions.get(0);
  }

  private static void await(BooleanSupplier ok, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!ok.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private boolean isShed(ConfigurableApplicationContext app) {
    try {
      return batch(app).equals("shed");
    } catch (Exception e) {
      return false;
    }
  }

  /** 1 when the instance leads {@code control} (its own gauge). */
  private double leading(ConfigurableApplicationContext app) throws Exception {
    return get(app, "/actuator/metrics/tierscope.api.control.leader")
        .read("$.measurements[0].value", Double.class);
  }

  /** The admission-control deliveries (the alert pushes share the webhook), signatures checked. */
  private static List<DocumentContext> controlDeliveries() {
    List<DocumentContext> out = new ArrayList<>();
    for (Delivery d : deliveries) {
      if (!"control".equals(d.headers().get("x-tierscope-event"))) {
        continue;
      }
      String timestamp = d.headers().get("x-tierscope-timestamp");
      assertThat(d.headers().get("x-tierscope-signature"))
          .isEqualTo("sha256=" + WebhookSignature.sign(SECRET, timestamp, d.body()));
      DocumentContext body = JsonPath.parse(new String(d.body(), StandardCharsets.UTF_8));
      assertThat(body.read("$.id", String.class))
          .isEqualTo(d.headers().get("x-tierscope-delivery"));
      out.add(body);
    }
    return out;
  }

  @Test
  void aModelQueueShedsBatchEverywhereAndASuccessorKeepsIt() throws Exception {
    ConfigurableApplicationContext a = apps.get(0);
    ConfigurableApplicationContext b = apps.get(1);
    await(() -> isShed(a) && isShed(b), "both instances to serve batch shed");

    DocumentContext signal = get(b, "/api/v1/control?tenant=" + TENANT);
    assertThat(signal.read("$.ladder[0]", String.class)).isEqualTo("deferred_batch:defer");
    List<Map<String, Object>> signals = signal.read("$.signals");
    assertThat(signals)
        .extracting(s -> s.get("class") + "=" + s.get("action"))
        .containsExactly(
            "interactive_premium=admit", "standard_interactive=admit", "deferred_batch=shed");
    DocumentContext shed =
        JsonPath.parse(
            get(b, "/api/v1/control?tenant=" + TENANT + "&class=deferred_batch").jsonString());
    assertThat(shed.read("$.signals[0].since", String.class)).isEqualTo(NOW.toString());
    assertThat(shed.read("$.signals[0].expiresAt", String.class))
        .isEqualTo(NOW.plusSeconds(60).toString());
    assertThat(shed.read("$.signals[0].reasons[0]", String.class))
        .startsWith("shed: deferred_batch gives way (rung 2 of 10): interactive_premium TTFT p95")
        .contains("model queue");
    assertThat(shed.read("$.signals[0].evidence.cause", String.class)).isEqualTo("model");
    assertThat(shed.read("$.signals[0].evidence.trigger.class", String.class))
        .isEqualTo("interactive_premium");
    assertThat(shed.read("$.signals[0].evidence.trigger.burnRate", Double.class))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(shed.read("$.signals[0].evidence.own.class", String.class))
        .isEqualTo("deferred_batch");
    assertThat(leading(a) + leading(b)).as("exactly one leader").isEqualTo(1.0);

    // The stream of either instance starts with every current signal, once each, in class order.
    HttpResponse<java.io.InputStream> stream =
        http.send(
            HttpRequest.newBuilder(URI.create(url(a) + "/api/v1/control/stream?tenant=" + TENANT))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    List<String> data = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      while (data.size() < 3) {
        String line = lines.readLine();
        assertThat(line).as("the stream ended early").isNotNull();
        if (line.startsWith("data:")) {
          data.add(line.substring(5));
        }
      }
    }
    assertThat(data)
        .extracting(
            d -> JsonPath.parse(d).read("$.class") + "=" + JsonPath.parse(d).read("$.action"))
        .containsExactly(
            "interactive_premium=admit", "standard_interactive=admit", "deferred_batch=shed");

    // The leader published the signal to the compacted topic, keyed tenant/class.
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, TestInfra.uniqueName("control-reader"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    String published = null;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (published == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.key().equals(TENANT + "/deferred_batch") && r.value().contains("\"shed\"")) {
            published = r.value();
          }
        }
      }
      assertThat(consumer.partitionsFor(topic).size()).isEqualTo(1);
    }
    assertThat(published).as("a shed record of ctl/deferred_batch").isNotNull();
    assertThat(JsonPath.parse(published).read("$.since", String.class)).isEqualTo(NOW.toString());

    // The leader delivered the change, and only it, to the webhook (signed; premium and standard
    // stayed admitted, so nothing about them).
    await(() -> !controlDeliveries().isEmpty(), "the webhook delivery");
    DocumentContext change = controlDeliveries().get(0);
    assertThat(change.read("$.kind", String.class)).isEqualTo("control");
    assertThat(change.read("$.class", String.class)).isEqualTo("deferred_batch");
    assertThat(change.read("$.previous", String.class)).isEqualTo("admit");
    assertThat(change.read("$.decision", String.class)).isEqualTo("shed");
    assertThat(change.read("$.signal.since", String.class)).isEqualTo(NOW.toString());
    String deliveryId = change.read("$.id", String.class);

    // The leader's instance stops; the other takes over and continues from the stored state: the
    // shed keeps its since, the new evaluations carry the new time.
    ConfigurableApplicationContext leader = leading(a) == 1.0 ? a : b;
    ConfigurableApplicationContext other = leader == a ? b : a;
    Set<String> producersBefore = controlProducerThreads();
    leader.close();
    apps.remove(leader);
    // (other tests' contexts in this JVM may hold producers of their own: only one must end)
    Set<String> ended = new java.util.HashSet<>(producersBefore);
    ended.removeAll(controlProducerThreads());
    assertThat(ended).as("the stopped leader's control producer is closed with it").isNotEmpty();
    CLOCK.set(NOW.plusSeconds(5));
    await(
        () -> {
          try {
            return get(other, "/api/v1/control?tenant=" + TENANT + "&class=deferred_batch")
                .read("$.signals[0].evaluatedAt", String.class)
                .equals(NOW.plusSeconds(5).toString());
          } catch (Exception e) {
            return false;
          }
        },
        "the successor's evaluation");
    DocumentContext after =
        get(other, "/api/v1/control?tenant=" + TENANT + "&class=deferred_batch");
    assertThat(after.read("$.signals[0].action", String.class)).isEqualTo("shed");
    assertThat(after.read("$.signals[0].since", String.class)).isEqualTo(NOW.toString());
    assertThat(leading(other)).isEqualTo(1.0);
    // The successor delivers the restriction in force once more, under the same delivery id.
    await(() -> controlDeliveries().size() >= 2, "the successor's webhook delivery");
    assertThat(controlDeliveries())
        .extracting(d -> d.read("$.id", String.class))
        .containsOnly(deliveryId);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("select term from leader_term where role = 'control'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).as("a second leadership").isEqualTo(2);
    }
  }

  /** Network threads of the control publishers' Kafka producers alive in this JVM. */
  private static Set<String> controlProducerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("kafka-producer-network-thread | tierscope-control"))
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void theStreamOfATenantWithoutSignalsAnswersAtOnce() throws Exception {
    // No signal to send yet: the response (status, headers, a comment line) still comes at once,
    // so a client can tell a connected stream from a server that does not answer.
    ConfigurableApplicationContext app = apps.get(apps.size() - 1);
    HttpResponse<java.io.InputStream> stream =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(url(app) + "/api/v1/control/stream?tenant=quiet-tenant"))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).as("a comment line first").startsWith(":");
    }
  }

  @Test
  void badParametersAreProblems() throws Exception {
    ConfigurableApplicationContext app = apps.get(apps.size() - 1);
    for (String q : List.of("?class=gold", "?tenant=a%20b")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url(app) + "/api/v1/control" + q)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(q).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
      assertThat(r.body())
          .contains(q.contains("class") ? "\"parameter\":\"class\"" : "\"parameter\":\"tenant\"");
    }
  }

  /** A clock both instances read and the test moves. */
  private static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
