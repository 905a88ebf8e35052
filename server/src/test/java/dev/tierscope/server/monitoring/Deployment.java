package dev.tierscope.server.monitoring;

import dev.tierscope.aggregator.AggregatorApplication;
import dev.tierscope.api.ApiApplication;
import dev.tierscope.ingest.IngestApplication;
import dev.tierscope.testsupport.ChildJvm;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A deployment of separate Tierscope applications for a monitoring test, as in docker compose: the
 * ingest and any number of api instances in this JVM (each its own Spring context), aggregators in
 * JVMs of their own (so that one can be killed with SIGKILL), on the shared test broker with a
 * topic, group and schema of their own.
 */
final class Deployment implements AutoCloseable {

  static final int PARTITIONS = 4;

  final String topic = TestInfra.uniqueName("spans");
  final String group = TestInfra.uniqueName("aggregator");
  final DbSchema schema;
  private final Map<String, String> aggregatorProperties;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final List<ChildJvm> aggregators = new ArrayList<>();
  private ConfigurableApplicationContext ingest;

  /**
   * @param name prefix of the schema
   * @param aggregatorProperties properties of every aggregator on top of the infrastructure's
   */
  Deployment(String name, Map<String, String> aggregatorProperties) {
    TestInfra.createTopic(topic, PARTITIONS);
    this.schema = TestInfra.newSchema(name);
    this.aggregatorProperties = aggregatorProperties;
  }

  private Map<String, String> database() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("spring.datasource.url", schema.jdbcUrl());
    p.put("spring.datasource.username", schema.user());
    p.put("spring.datasource.password", schema.password());
    return p;
  }

  /** Starts an aggregator JVM; it joins the group and takes partitions. */
  ChildJvm startAggregator(String name) throws Exception {
    Map<String, String> p = database();
    p.put("spring.main.web-application-type", "none");
    p.put("spring.kafka.bootstrap-servers", TestInfra.bootstrapServers());
    p.put("spring.kafka.consumer.properties.session.timeout.ms", "6000");
    p.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
    p.put("tierscope.spans.topic", topic);
    p.put("tierscope.spans.partitions", Integer.toString(PARTITIONS));
    p.put("tierscope.spans.dead-letter-topic", topic + ".dlq");
    p.put("tierscope.aggregator.group", group);
    p.put("tierscope.aggregator.checkpoint-interval", "500ms");
    p.putAll(aggregatorProperties);
    ChildJvm jvm = ChildJvm.start("aggregator-" + name, AggregatorApplication.class, p);
    aggregators.add(jvm);
    return jvm;
  }

  /** Throws with the last log lines when every aggregator started and not killed has died. */
  void checkAggregatorsAlive() throws java.io.IOException {
    List<ChildJvm> started = aggregators.stream().filter(a -> !a.killed()).toList();
    if (!started.isEmpty() && started.stream().noneMatch(ChildJvm::isAlive)) {
      List<String> lines = java.nio.file.Files.readAllLines(started.get(0).log());
      throw new IllegalStateException(
          "every aggregator died; the first one's log ends:\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
  }

  /** Starts the ingest on free ports; returns its OTLP/HTTP base URL. */
  String startIngest() {
    // the database too: this class path holds the JDBC auto-configuration (as the server's does)
    Map<String, String> p = database();
    p.put("server.port", "0");
    p.put("spring.kafka.bootstrap-servers", TestInfra.bootstrapServers());
    p.put("tierscope.ingest.grpc-port", "0");
    p.put("tierscope.spans.topic", topic);
    p.put("tierscope.spans.partitions", Integer.toString(PARTITIONS));
    ingest = run(IngestApplication.class, IngestApplication.CONFIG_NAME, p);
    return "http://127.0.0.1:" + ingest.getEnvironment().getProperty("local.server.port");
  }

  /** Starts an api instance on a free port with extra properties; returns its context. */
  ConfigurableApplicationContext startApi(Map<String, String> extra) {
    Map<String, String> p = database();
    p.put("server.port", "0");
    p.putAll(extra);
    return run(ApiApplication.class, ApiApplication.CONFIG_NAME, p);
  }

  static String url(ConfigurableApplicationContext api) {
    return "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
  }

  /** Aggregator instances that own at least one partition, as the group coordinator sees them. */
  int membersWithPartitions() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
      return (int)
          d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
    }
  }

  private ConfigurableApplicationContext run(
      Class<?> app, String configName, Map<String, String> properties) {
    SpringApplication application = new SpringApplication(app);
    application.setBannerMode(Banner.Mode.OFF);
    application.setDefaultProperties(Map.of("spring.config.name", configName));
    ConfigurableApplicationContext c =
        application.run(
            properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new));
    contexts.add(c);
    return c;
  }

  @Override
  public void close() throws Exception {
    for (ChildJvm a : aggregators) {
      a.close();
    }
    for (int i = contexts.size() - 1; i >= 0; i--) {
      try {
        contexts.get(i).close();
      } catch (RuntimeException e) {
        System.err.println("stopping " + contexts.get(i).getId() + " failed: " + e);
      }
    }
  }
}
