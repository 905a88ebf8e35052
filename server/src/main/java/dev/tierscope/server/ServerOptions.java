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
 * @param listen the address OTLP/HTTP, OTLP/gRPC, the API and the management ports bind ({@code
 *     --listen} or {@code TIERSCOPE_LISTEN}); {@value #LOOPBACK} by default, {@code 0.0.0.0} for
 *     every interface (which needs an authentication mode other than {@code none})
 * @param apiManagementPort the api's actuator port ({@code TIERSCOPE_API_MANAGEMENT_PORT}, 8082);
 *     -1 keeps the actuator on the API port
 * @param ingestManagementPort the ingest's actuator port ({@code TIERSCOPE_INGEST_MANAGEMENT_PORT},
 *     8083); -1 keeps the actuator on the OTLP/HTTP port
 */
public record ServerOptions(
    Path home,
    int otlpHttpPort,
    int apiPort,
    int aggregatorPort,
    String kafkaBootstrapServers,
    int kafkaPort,
    PostgresEndpoint database,
    Map<String, String> properties,
    String listen,
    int apiManagementPort,
    int ingestManagementPort) {

  /** Where the server listens unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  /** The argument that sets {@link #listen()}: {@code --listen=0.0.0.0}. */
  public static final String LISTEN_ARGUMENT = "--listen";

  public ServerOptions {
    properties = Map.copyOf(properties);
    if (listen == null || listen.isBlank()) {
      throw new IllegalArgumentException(
          "the listen address (--listen, TIERSCOPE_LISTEN) must not be blank");
    }
    listen = listen.strip();
  }

  /**
   * Options on loopback with the actuator of the api and the ingest on their application ports
   * (tests, embedders); the aggregator's actuator is on {@code aggregatorPort} as always.
   *
   * @see #ServerOptions(Path, int, int, int, String, int, PostgresEndpoint, Map, String, int, int)
   */
  public ServerOptions(
      Path home,
      int otlpHttpPort,
      int apiPort,
      int aggregatorPort,
      String kafkaBootstrapServers,
      int kafkaPort,
      PostgresEndpoint database,
      Map<String, String> properties) {
    this(
        home,
        otlpHttpPort,
        apiPort,
        aggregatorPort,
        kafkaBootstrapServers,
        kafkaPort,
        database,
        properties,
        LOOPBACK,
        -1,
        -1);
  }

  /**
   * Options from the environment ({@code TIERSCOPE_HOME}, {@code TIERSCOPE_LISTEN}, {@code
   * TIERSCOPE_OTLP_HTTP_PORT}, {@code TIERSCOPE_OTLP_GRPC_PORT} (passed on as {@code
   * tierscope.ingest.grpc-port}), {@code TIERSCOPE_API_PORT}, {@code TIERSCOPE_AGGREGATOR_PORT},
   * {@code TIERSCOPE_API_MANAGEMENT_PORT}, {@code TIERSCOPE_INGEST_MANAGEMENT_PORT}, {@code
   * TIERSCOPE_KAFKA_BOOTSTRAP_SERVERS}, {@code TIERSCOPE_KAFKA_PORT}, {@code
   * TIERSCOPE_DB_URL}/{@code _USER}/{@code _PASSWORD}), {@code --listen=ADDRESS}, and {@code
   * --key=value} arguments, which are passed on as Spring properties.
   */
  public static ServerOptions fromEnvironment(Map<String, String> env, String[] args) {
    Map<String, String> props = new LinkedHashMap<>();
    String listen = blankToNull(env.get("TIERSCOPE_LISTEN"));
    for (String arg : args) {
      if (arg.startsWith(LISTEN_ARGUMENT + "=")) {
        listen = arg.substring(LISTEN_ARGUMENT.length() + 1);
        if (listen.isBlank()) {
          throw new IllegalArgumentException("--listen needs an address, e.g. --listen=0.0.0.0");
        }
        continue;
      }
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + arg + "'; pass Spring properties as --key=value");
      }
      int eq = arg.indexOf('=');
      String key = arg.substring(2, eq);
      if (key.equals("server.port") || key.equals("management.server.port")) {
        // every deployable in this JVM has its own port: one --server.port cannot say which
        throw new IllegalArgumentException(
            "--"
                + key
                + " is not used by the all-in-one server, which gives each part its own port: set"
                + " TIERSCOPE_API_PORT (8080), TIERSCOPE_OTLP_HTTP_PORT (4318),"
                + " TIERSCOPE_OTLP_GRPC_PORT (4317) or TIERSCOPE_AGGREGATOR_PORT (8081) instead");
      }
      props.put(key, arg.substring(eq + 1));
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
        props,
        listen == null ? LOOPBACK : listen,
        port(env, "TIERSCOPE_API_MANAGEMENT_PORT", 8082),
        port(env, "TIERSCOPE_INGEST_MANAGEMENT_PORT", 8083));
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
