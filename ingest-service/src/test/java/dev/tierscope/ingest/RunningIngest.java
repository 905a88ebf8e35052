package dev.tierscope.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The ingest application started the way the all-in-one server starts it (its own {@code
 * tierscope-ingest.properties}, overrides as command-line arguments), on free HTTP and gRPC ports.
 */
final class RunningIngest implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final String topic;
  private final String bootstrapServers;

  private RunningIngest(
      ConfigurableApplicationContext context, String topic, String bootstrapServers) {
    this.context = context;
    this.topic = topic;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts the ingest against {@code bootstrapServers}, producing to {@code topic}, with extra
   * properties (without the leading {@code --}).
   */
  static RunningIngest start(String bootstrapServers, String topic, Map<String, String> extra) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("server.port", "0");
    props.put("tierscope.ingest.grpc-port", "0");
    props.put("tierscope.spans.topic", topic);
    props.put("spring.kafka.bootstrap-servers", bootstrapServers);
    // The ITs send spans stamped 2026-01-01 (fixed, so that they can assert exact times); their age
    // is not what they test. The time bounds are tested on the defaults by the server's ITs.
    props.put("tierscope.ingest.max-age", "36500d");
    props.putAll(extra);
    List<String> args = new ArrayList<>();
    props.forEach((k, v) -> args.add("--" + k + "=" + v));
    SpringApplication app = new SpringApplication(IngestApplication.class);
    app.setBannerMode(Banner.Mode.OFF);
    app.setDefaultProperties(Map.of("spring.config.name", IngestApplication.CONFIG_NAME));
    return new RunningIngest(app.run(args.toArray(String[]::new)), topic, bootstrapServers);
  }

  int httpPort() {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  /** {@code http://127.0.0.1:<port>/v1/traces}. */
  String tracesUrl() {
    return "http://127.0.0.1:" + httpPort() + "/v1/traces";
  }

  int grpcPort() {
    return Integer.parseInt(
        context.getEnvironment().getRequiredProperty(IngestConfiguration.LOCAL_GRPC_PORT_PROPERTY));
  }

  String topic() {
    return topic;
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  MeterRegistry meters() {
    return context.getBean(MeterRegistry.class);
  }

  /** The sum of every counter of that name whose tags include the given key/value pairs. */
  double count(String name, String... tags) {
    return meters().find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Override
  public void close() {
    context.close();
  }
}
