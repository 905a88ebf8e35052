package dev.tierscope.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.store.Migrations;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TcpProxy;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.wire.v1.SpanEvent;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The aggregator's health tells the truth and answers at once: readiness is up only once its
 * partitions are owned and caught up, goes out of service (with the failing part named) while
 * PostgreSQL is down, and comes back without a restart; liveness stays up through it. With a stable
 * instance id (Kafka static membership), an instance killed and restarted owns its partitions again
 * long before its previous member's session would have expired.
 */
class AggregatorHealthIT {

  private static final int PARTITIONS = 3;

  /** A dynamic member would wait this long for the killed member's session to expire. */
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(90);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String topic;
  private String group;
  private DbSchema schema;
  private HikariDataSource dataSource;
  private KafkaProducer<byte[], byte[]> producer;
  private TraceGenerator generator;
  private TcpProxy proxy;
  private AggregatorProcess aggregator;
  private int port;

  @BeforeEach
  void setUp() throws Exception {
    topic = TestInfra.uniqueName("spans");
    group = TestInfra.uniqueName("aggregator");
    TestInfra.createTopic(topic, PARTITIONS);
    schema = TestInfra.newSchema("health");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
    URI pg = URI.create(schema.jdbcUrl().substring("jdbc:".length()));
    proxy = TcpProxy.start(pg.getHost(), pg.getPort());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    generator =
        new TraceGenerator(
            5, TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()) - 300_000_000L);
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (aggregator != null) {
      aggregator.close();
    }
    proxy.close();
    producer.close();
    dataSource.close();
  }

  @Test
  void readinessFollowsPartitionsAndCheckpointsAndAStaticMemberRestartsAtOnce() throws Exception {
    produce(1_000);
    aggregator = start("first");
    DocumentContext ready = awaitStatus("/actuator/health/readiness", 200, Duration.ofSeconds(90));
    assertThat(ready.read("$.status", String.class)).isEqualTo("UP");
    assertThat(
            ready.read(
                "$.components.aggregatorPartitions.details.tierscope-aggregator-0.ownedPartitions",
                Integer.class))
        .isEqualTo(PARTITIONS);
    assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    assertThat(metric("tierscope.aggregator.lag.records")).isGreaterThanOrEqualTo(0);
    assertThat(metric("tierscope.aggregator.checkpoint.age")).isLessThan(5);

    proxy.cut();
    produce(200);
    DocumentContext down = awaitStatus("/actuator/health/readiness", 503, Duration.ofSeconds(30));
    assertThat(down.read("$.status", String.class)).isEqualTo("OUT_OF_SERVICE");
    assertThat(
            down.read(
                "$.components.aggregatorPartitions.details.tierscope-aggregator-0.lastFailure",
                String.class))
        .startsWith("store: ");
    assertThat(down.read("$.components.aggregatorPartitions.details.problems", List.class))
        .isNotEmpty();
    long started = System.nanoTime();
    HttpResponse<String> overall = get("/actuator/health");
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "/actuator/health with PostgreSQL down: %d in %d ms%n", overall.statusCode(), tookMillis);
    assertThat(overall.statusCode()).isEqualTo(503);
    assertThat(tookMillis).as("health answers at once while PostgreSQL is down").isLessThan(2_000);
    assertThat(get("/actuator/health/liveness").statusCode())
        .as("a database outage is no reason to restart")
        .isEqualTo(200);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (metric("tierscope.aggregator.checkpoint.age") < 3) {
      assertThat(System.nanoTime())
          .as("checkpoint age grows while PostgreSQL is down")
          .isLessThan(deadline);
      Thread.sleep(250);
    }
    DocumentContext old = awaitStatus("/actuator/health/readiness", 503, Duration.ofSeconds(5));
    assertThat(
            old.read("$.components.aggregatorPartitions.details.problems", List.class).toString())
        .contains("last successful checkpoint");

    proxy.heal();
    awaitStatus("/actuator/health/readiness", 200, Duration.ofSeconds(60));

    aggregator.kill();
    long killedAt = System.nanoTime();
    produce(200);
    aggregator = start("second");
    awaitStatus("/actuator/health/readiness", 200, SESSION_TIMEOUT.multipliedBy(2));
    Duration back = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf("restarted static member ready %d ms after the kill%n", back.toMillis());
    assertThat(back)
        .as("the restarted instance did not wait for the old member's session to expire")
        .isLessThan(SESSION_TIMEOUT);
    ConsumerGroupDescription d = describeGroup();
    assertThat(d.members()).hasSize(1);
    MemberDescription m = d.members().iterator().next();
    assertThat(m.groupInstanceId()).hasValue("health-test-0");
    assertThat(m.assignment().topicPartitions()).hasSize(PARTITIONS);
    String log = Files.readString(aggregator.log());
    assertThat(log).doesNotContain("Exception in thread");
    assertThat(log)
        .as("the durability check read the real topic")
        .contains(topic + ": a single broker, replication factor 1: a development setup");
  }

  private AggregatorProcess start(String name) throws Exception {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("server.port", Integer.toString(port));
    props.put("spring.kafka.bootstrap-servers", TestInfra.bootstrapServers());
    props.put(
        "spring.kafka.consumer.properties.session.timeout.ms",
        Long.toString(SESSION_TIMEOUT.toMillis()));
    props.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
    props.put("spring.datasource.url", proxy.rewriteJdbcUrl(schema.jdbcUrl()));
    props.put("spring.datasource.username", schema.user());
    props.put("spring.datasource.password", schema.password());
    props.put("tierscope.spans.topic", topic);
    props.put("tierscope.spans.partitions", Integer.toString(PARTITIONS));
    props.put("tierscope.spans.dead-letter-topic", topic + "_dlq");
    props.put("tierscope.aggregator.group", group);
    props.put("tierscope.aggregator.instance-id", "health-test");
    props.put("tierscope.aggregator.checkpoint-interval", "300ms");
    props.put("tierscope.aggregator.health.checkpoint-age-limit", "3s");
    return AggregatorProcess.start("health-" + name, props);
  }

  private DocumentContext awaitStatus(String path, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> r = null;
    while (System.nanoTime() < deadline) {
      try {
        r = get(path);
        if (r.statusCode() == status) {
          return JsonPath.parse(r.body());
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        path
            + " did not answer "
            + status
            + " within "
            + timeout
            + "; last: "
            + (r == null ? null : r.statusCode() + " " + r.body()));
  }

  private double metric(String name) throws Exception {
    HttpResponse<String> r = get("/actuator/metrics/" + name);
    assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(200);
    return JsonPath.parse(r.body()).read("$.measurements[0].value", Double.class);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private ConsumerGroupDescription describeGroup() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      return admin
          .describeConsumerGroups(List.of(group))
          .all()
          .get(10, TimeUnit.SECONDS)
          .get(group);
    }
  }

  private void produce(int traces) {
    for (int i = 0; i < traces; i++) {
      TraceGenerator.Trace t = generator.next();
      for (SpanEvent span : t.spans()) {
        producer.send(new ProducerRecord<>(topic, t.traceId(), span.toByteArray()));
      }
    }
    producer.flush();
  }
}
