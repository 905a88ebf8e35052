package dev.tierscope.server;

import dev.tierscope.embedded.PostgresEndpoint;
import dev.tierscope.embedded.PostgresServers;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the all-in-one server starts.
 *
 * @param home data directory of the embedded Kafka and PostgreSQL ({@code TIERSCOPE_HOME}, default
 *     {@code ./.tierscope})
 * @param otlpHttpPort OTLP/HTTP port, 4318 by default (0: any free port)
 * @param apiPort REST API port, 8080 by default (0: any free port)
 * @param aggregatorPort the aggregator's actuator port (health, metrics, Prometheus), 8081 by
 *     default (0: any free port)
 * @param kafkaBootstrapServers an existing Kafka ({@code TIERSCOPE_KAFKA_BOOTSTRAP_SERVERS}); null
 *     to start the embedded broker
 * @param kafkaPort port of the embedded broker (its controller takes the next one), 9092 by default
 * @param database an existing PostgreSQL; null to use {@code TIERSCOPE_DB_URL} or an embedded one
 * @param properties further Spring properties passed to every application
 */
public record ServerOptions(
    Path home,
    int otlpHttpPort,
    int apiPort,
    int aggregatorPort,
    String kafkaBootstrapServers,
    int kafkaPort,
    PostgresEndpoint database,
    Map<String, String> properties) {

  public ServerOptions {
    properties = Map.copyOf(properties);
  }

  /**
   * Options from the environment ({@code TIERSCOPE_HOME}, {@code TIERSCOPE_OTLP_HTTP_PORT}, {@code
   * TIERSCOPE_OTLP_GRPC_PORT} (passed on as {@code tierscope.ingest.grpc-port}), {@code
   * TIERSCOPE_API_PORT}, {@code TIERSCOPE_AGGREGATOR_PORT}, {@code
   * TIERSCOPE_KAFKA_BOOTSTRAP_SERVERS}, {@code TIERSCOPE_KAFKA_PORT}, {@code
   * TIERSCOPE_DB_URL}/{@code _USER}/{@code _PASSWORD}) and {@code --key=value} arguments, which are
   * passed on as Spring properties.
   */
  public static ServerOptions fromEnvironment(Map<String, String> env, String[] args) {
    Map<String, String> props = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + arg + "'; pass Spring properties as --key=value");
      }
      int eq = arg.indexOf('=');
      props.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    String grpc = env.get("TIERSCOPE_OTLP_GRPC_PORT");
    if (grpc != null && !grpc.isBlank()) {
      props.putIfAbsent(
          "tierscope.ingest.grpc-port",
          Integer.toString(port(env, "TIERSCOPE_OTLP_GRPC_PORT", 4317)));
    }
    return new ServerOptions(
        Path.of(env.getOrDefault("TIERSCOPE_HOME", ".tierscope")),
        port(env, "TIERSCOPE_OTLP_HTTP_PORT", 4318),
        port(env, "TIERSCOPE_API_PORT", 8080),
        port(env, "TIERSCOPE_AGGREGATOR_PORT", 8081),
        blankToNull(env.get("TIERSCOPE_KAFKA_BOOTSTRAP_SERVERS")),
        port(env, "TIERSCOPE_KAFKA_PORT", 9092),
        PostgresServers.fromEnvironment().orElse(null),
        props);
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int p = Integer.parseInt(v.trim());
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a port number (0-65535), was '" + v + "'");
    }
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }
}
