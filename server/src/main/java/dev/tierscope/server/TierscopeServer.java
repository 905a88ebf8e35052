package dev.tierscope.server;

import dev.tierscope.aggregator.AggregatorApplication;
import dev.tierscope.aggregator.AggregatorHealth;
import dev.tierscope.api.ApiApplication;
import dev.tierscope.auth.AuthMode;
import dev.tierscope.auth.Listener;
import dev.tierscope.auth.TokenCommand;
import dev.tierscope.boot.ClassesConfiguration;
import dev.tierscope.boot.ClassesProperties;
import dev.tierscope.core.classes.SloSpecException;
import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.embedded.PostgresEndpoint;
import dev.tierscope.embedded.PostgresServer;
import dev.tierscope.embedded.PostgresServers;
import dev.tierscope.ingest.IngestApplication;
import dev.tierscope.launcher.TierscopeLauncher;
import dev.tierscope.slospec.ValidateCommand;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The all-in-one launcher: an embedded single-node Kafka (KRaft, a child JVM) and PostgreSQL
 * (embedded, or {@code TIERSCOPE_DB_URL}), then the ingest, aggregator and api applications in this
 * JVM, each in its own Spring context on the default ports (OTLP/HTTP 4318, OTLP/gRPC 4317, API
 * 8080, the aggregator's actuator 8081).
 *
 * <p>Why separate contexts rather than one: the three deployables run alone in production; here
 * they keep exactly that configuration (each reads its own {@code tierscope-<app>.properties}),
 * only the infrastructure addresses are passed in.
 *
 * <pre>{@code
 * try (TierscopeServer server = TierscopeServer.start(ServerOptions.fromEnvironment())) {
 *   System.out.println(server.apiUrl());
 * }
 * }</pre>
 */
public final class TierscopeServer implements AutoCloseable {

  /** What a usage message of the launcher's commands adds: this server's own command and mode. */
  private static final String NO_COMMAND = ", surge-proof (or no command for everything)";

  private final ServerOptions options;
  private final java.time.Clock apiClock;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final List<AutoCloseable> closeFirst = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::close, "tierscope-shutdown");
  private boolean closed;
  private KafkaBroker broker;
  private PostgresServer postgres;
  private String bootstrapServers;
  private PostgresEndpoint database;
  private int otlpHttpPort;
  private int otlpGrpcPort;
  private int apiPort;
  private int aggregatorPort;
  private int ingestManagementPort = -1;
  private int apiManagementPort = -1;
  private boolean otlpHttpTls;
  private boolean otlpGrpcTls;
  private boolean apiTls;
  private boolean managementTls;

  private TierscopeServer(ServerOptions options, java.time.Clock apiClock) {
    this.options = options;
    this.apiClock = apiClock;
  }

  /** Starts infrastructure and applications; on failure stops what was started and rethrows. */
  public static TierscopeServer start(ServerOptions options) {
    return start(options, null);
  }

  /**
   * As {@link #start(ServerOptions)}, with {@code apiClock} as the api's notion of now (its {@code
   * Clock} bean), e.g. the simulated clock of a compressed surge proof; null for the system clock.
   */
  public static TierscopeServer start(ServerOptions options, java.time.Clock apiClock) {
    TierscopeServer server = new TierscopeServer(options, apiClock);
    // One hook stops everything in order (SIGTERM, Ctrl+C): the applications first (the
    // aggregator's final checkpoint needs PostgreSQL and Kafka), then the broker, then PostgreSQL.
    // Spring's, the broker's and zonky's own hooks are off, since JVM hooks run concurrently.
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.startAll();
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void startAll() {
    // Before any infrastructure: an invalid spec file or an open listener without authentication
    // stops start-up at once, with the messages every application would print (they check again).
    checkClasses(options);
    checkListen(options);
    try {
      Files.createDirectories(options.home());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create TIERSCOPE_HOME " + options.home(), e);
    }
    if (options.kafkaBootstrapServers() != null) {
      bootstrapServers = options.kafkaBootstrapServers();
    } else {
      broker =
          KafkaBroker.builder()
              .dataDir(options.home().resolve("kafka"))
              .port(options.kafkaPort())
              .controllerPort(options.kafkaPort() == 0 ? 0 : options.kafkaPort() + 1)
              .shutdownHook(false)
              .build();
      broker.start();
      bootstrapServers = broker.bootstrapServers();
    }
    if (options.database() != null) {
      database = options.database();
    } else {
      postgres = PostgresServers.open(options.home().resolve("postgres"), false);
      database = postgres.endpoint();
    }

    Map<String, String> common = new LinkedHashMap<>();
    common.put("server.address", options.listen());
    common.put("spring.kafka.bootstrap-servers", bootstrapServers);
    common.put("spring.datasource.url", database.jdbcUrl());
    common.put("spring.datasource.username", database.user());
    common.put("spring.datasource.password", database.password());
    // One process, one logging system: Spring Boot would tag every line with the name of the first
    // application started ([tierscope-aggregator]), also the ingest's and the api's. The logger
    // and thread names say which part wrote a line.
    common.put("logging.include-application-name", "false");
    common.putAll(options.properties());

    // The aggregator first: it owns nothing the others need, but it migrates the schema before
    // the api reads it and creates the topics before the ingest writes them.
    Map<String, String> aggregator = new LinkedHashMap<>(common);
    // The aggregator keeps its own actuator port, as in a separate deployment: its meters (late,
    // rejected, dropped, folded) are what an operator looks at first.
    aggregator.put("server.port", Integer.toString(options.aggregatorPort()));
    // Static membership under an identity that survives restarts on the same data directory: a
    // restarted server owns its partitions at once instead of after the old session expired.
    aggregator.putIfAbsent("tierscope.aggregator.instance-id", instanceId(options.home()));
    ConfigurableApplicationContext aggregatorContext =
        run(AggregatorApplication.class, AggregatorApplication.CONFIG_NAME, aggregator, c -> {});
    contexts.add(aggregatorContext);
    aggregatorPort = localPort(aggregatorContext);
    AggregatorHealth aggregatorHealth = aggregatorContext.getBean(AggregatorHealth.class);

    Map<String, String> ingest = new LinkedHashMap<>(common);
    ingest.put("server.port", Integer.toString(options.otlpHttpPort()));
    ingest.put("tierscope.ingest.grpc-address", options.listen());
    management(ingest, options.ingestManagementPort());
    ConfigurableApplicationContext ingestContext =
        run(IngestApplication.class, IngestApplication.CONFIG_NAME, ingest, c -> {});
    contexts.add(ingestContext);
    otlpHttpPort = localPort(ingestContext);
    ingestManagementPort = managementPort(ingestContext);
    otlpHttpTls = tls(ingestContext, "server.ssl");
    otlpGrpcTls =
        !ingestContext
            .getEnvironment()
            .getProperty("tierscope.ingest.grpc-ssl-bundle", "")
            .isBlank();
    String grpc = ingestContext.getEnvironment().getProperty("local.grpc.port");
    otlpGrpcPort = grpc == null ? -1 : Integer.parseInt(grpc);

    Map<String, String> api = new LinkedHashMap<>(common);
    api.put("server.port", Integer.toString(options.apiPort()));
    // The api's health shows the aggregator's too (the one the banner prints): liveness with its
    // loops, readiness only once it owns its partitions and has caught up.
    api.putIfAbsent(
        "management.endpoint.health.group.liveness.include", "livenessState,aggregatorLoops");
    api.putIfAbsent(
        "management.endpoint.health.group.readiness.include",
        "readinessState,db,aggregatorPartitions");
    api.putIfAbsent("management.endpoint.health.show-details", "always");
    management(api, options.apiManagementPort());
    ConfigurableApplicationContext apiContext =
        run(
            ApiApplication.class,
            ApiApplication.CONFIG_NAME,
            api,
            c -> {
              c.getBeanFactory().registerSingleton("aggregatorLoops", aggregatorHealth.liveness());
              c.getBeanFactory()
                  .registerSingleton("aggregatorPartitions", aggregatorHealth.readiness());
              if (apiClock != null) {
                c.getBeanFactory().registerSingleton("clock", apiClock);
              }
            });
    contexts.add(apiContext);
    apiPort = localPort(apiContext);
    apiManagementPort = managementPort(apiContext);
    apiTls = tls(apiContext, "server.ssl");
    managementTls = tls(apiContext, "management.server.ssl");
  }

  /** Whether a web server of the context speaks TLS ({@code <prefix>.bundle}, key store, PEM). */
  private static boolean tls(ConfigurableApplicationContext context, String prefix) {
    org.springframework.core.env.Environment env = context.getEnvironment();
    if (!env.getProperty(prefix + ".enabled", Boolean.class, true)) {
      return false;
    }
    return List.of(".bundle", ".key-store", ".certificate").stream()
        .anyMatch(k -> !env.getProperty(prefix + k, "").isBlank());
  }

  /** The actuator on a port of its own, on the listen address; none for -1. */
  private void management(Map<String, String> properties, int port) {
    if (port >= 0) {
      properties.put("management.server.port", Integer.toString(port));
      properties.put("management.server.address", options.listen());
    }
  }

  /**
   * Refuses to open the ports beyond loopback without authentication, before anything starts: the
   * {@code none} mode lets anyone who reaches a port write and read as any tenant.
   */
  static void checkListen(ServerOptions options) {
    try {
      InetAddress.getAllByName(options.listen());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(
          "--listen (TIERSCOPE_LISTEN) '" + options.listen() + "' is not an address of this host");
    }
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "server-options", new LinkedHashMap<String, Object>(options.properties())));
    AuthMode mode =
        Binder.get(environment).bind("tierscope.auth.mode", AuthMode.class).orElse(AuthMode.NONE);
    if (mode == AuthMode.NONE) {
      Listener.requireLoopback(
          List.of(
              new Listener(
                  "OTLP/HTTP, OTLP/gRPC, the API and the management ports",
                  "--listen (TIERSCOPE_LISTEN)",
                  options.listen())));
    }
  }

  /**
   * Builds the traffic classes as the applications will, from the same properties and the
   * environment ({@code TIERSCOPE_CLASSES_*}), so that an invalid spec file or class property stops
   * start-up before Kafka and PostgreSQL are started.
   *
   * @throws dev.tierscope.core.classes.SloSpecException with every problem of the file
   */
  static void checkClasses(ServerOptions options) {
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "server-options", new LinkedHashMap<String, Object>(options.properties())));
    ClassesProperties properties =
        Binder.get(environment)
            .bind("tierscope.classes", ClassesProperties.class)
            .orElseGet(() -> new ClassesProperties(null, null, null, null));
    ClassesConfiguration.build(properties);
  }

  private static ConfigurableApplicationContext run(
      Class<?> app,
      String configName,
      Map<String, String> overrides,
      org.springframework.context.ApplicationContextInitializer<ConfigurableApplicationContext>
          initializer) {
    SpringApplication application = new SpringApplication(app);
    application.addInitializers(initializer);
    application.setBannerMode(Banner.Mode.OFF);
    application.setRegisterShutdownHook(false); // close() stops the contexts in order
    application.setDefaultProperties(Map.of("spring.config.name", configName));
    // Command-line arguments outrank the application's own properties file.
    String[] args =
        overrides.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    return application.run(args);
  }

  /**
   * {@code tierscope-<host>-<hash of the data directory>}: the same for every start on one data
   * directory, different for two servers on one host.
   */
  static String instanceId(java.nio.file.Path home) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    String path = home.toAbsolutePath().normalize().toString();
    return "tierscope-"
        + host.replaceAll("[^A-Za-z0-9.-]", "_")
        + "-"
        + Integer.toHexString(path.hashCode());
  }

  /** Closes {@code c} when the server closes, before the applications (e.g. a traffic source). */
  public synchronized void closeFirst(AutoCloseable c) {
    closeFirst.add(c);
  }

  private static int managementPort(ConfigurableApplicationContext context) {
    String port = context.getEnvironment().getProperty("local.management.port");
    return port == null ? -1 : Integer.parseInt(port);
  }

  private static int localPort(ConfigurableApplicationContext context) {
    String port = context.getEnvironment().getProperty("local.server.port");
    if (port == null) {
      throw new IllegalStateException("web server of " + context.getId() + " did not start");
    }
    return Integer.parseInt(port);
  }

  /** Base URL of the OTLP/HTTP receiver, e.g. {@code http://127.0.0.1:4318}. */
  public String otlpHttpUrl() {
    return (otlpHttpTls ? "https://" : "http://") + host() + ":" + otlpHttpPort;
  }

  /** Base URL of the REST API, e.g. {@code http://127.0.0.1:8080}. */
  public String apiUrl() {
    return (apiTls ? "https://" : "http://") + host() + ":" + apiPort;
  }

  /** The address the listeners bind ({@code --listen}). */
  public String listen() {
    return options.listen();
  }

  /** How the applications identify callers ({@code tierscope.auth.mode}). */
  public AuthMode authMode() {
    return contexts.get(contexts.size() - 1).getBean(dev.tierscope.auth.AccessControl.class).mode();
  }

  /** Port of the api's actuator; -1 when it stays on the API port. */
  public int apiManagementPort() {
    return apiManagementPort;
  }

  /** Port of the ingest's actuator; -1 when it stays on the OTLP/HTTP port. */
  public int ingestManagementPort() {
    return ingestManagementPort;
  }

  /**
   * The host part of a URL that reaches the listeners from this machine: the listen address, or
   * loopback when it is the wildcard of every interface.
   */
  String host() {
    String listen = options.listen();
    if (listen.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    if (listen.equals("::") || listen.equals("[::]")) {
      return "[::1]";
    }
    return listen.contains(":") && !listen.startsWith("[") ? "[" + listen + "]" : listen;
  }

  /** The start-up banner: where each listener is bound, and where to ask. */
  String banner(long startedMillis, String authMode) {
    String where = options.listen();
    boolean everywhere = where.equals("0.0.0.0") || where.equals("::") || where.equals("[::]");
    String api = apiUrl();
    StringBuilder b = new StringBuilder();
    b.append(String.format("%nTierscope is running (started in %d ms).%n", startedMillis));
    b.append(
        String.format(
            "  OTLP/HTTP   %s/v1/traces          (point OTEL_EXPORTER_OTLP_ENDPOINT at %s)%n",
            otlpHttpUrl(), otlpHttpUrl()));
    b.append(
        String.format(
            "  OTLP/gRPC   %s:%d%s%n", host(), otlpGrpcPort, otlpGrpcTls ? " (TLS)" : ""));
    b.append(
        String.format(
            "  SLO API     %s/api/v1/slo?class=interactive_premium&from=<ISO or epoch ms>&to=<...>%n",
            api));
    b.append(String.format("  Health      %s/actuator/health%n", api));
    b.append(
        String.format(
            "  Aggregator  %s/actuator/health, /actuator/prometheus  (late, rejected, folded,"
                + " restarts)%n",
            aggregatorUrl()));
    if (apiManagementPort >= 0 || ingestManagementPort >= 0) {
      b.append(
          String.format(
              "  Management  api %s://%s:%d/actuator, ingest %s://%s:%d/actuator%n",
              managementTls ? "https" : "http",
              host(),
              apiManagementPort,
              managementTls ? "https" : "http",
              host(),
              ingestManagementPort));
    }
    b.append(
        String.format(
            "  Listening on %s%s; authentication %s%n",
            where, everywhere ? " (every interface)" : "", authMode));
    b.append(
        String.format(
            "  Kafka       %s   PostgreSQL  %s%n", kafkaBootstrapServers(), database().jdbcUrl()));
    b.append(String.format("  Data        %s%n", options.home().toAbsolutePath()));
    b.append(String.format("Press Ctrl+C to stop.%n"));
    return b.toString();
  }

  /** Port of the OTLP/gRPC receiver, -1 when it is not running. */
  public int otlpGrpcPort() {
    return otlpGrpcPort;
  }

  public int otlpHttpPort() {
    return otlpHttpPort;
  }

  public int apiPort() {
    return apiPort;
  }

  /** Port of the aggregator's actuator (health, metrics, Prometheus). */
  public int aggregatorPort() {
    return aggregatorPort;
  }

  /** Base URL of the aggregator's actuator, e.g. {@code http://127.0.0.1:8081}. */
  public String aggregatorUrl() {
    return "http://" + host() + ":" + aggregatorPort;
  }

  public String kafkaBootstrapServers() {
    return bootstrapServers;
  }

  public PostgresEndpoint database() {
    return database;
  }

  /**
   * Stops the applications (the ingest drains its requests, the aggregator commits a final
   * checkpoint), then the embedded broker, then the embedded PostgreSQL. Idempotent; a second
   * caller (the shutdown hook during a close) waits until the first has finished.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is running or about to, and waits for this close
      }
    }
    for (int i = closeFirst.size() - 1; i >= 0; i--) {
      try {
        closeFirst.get(i).close();
      } catch (Exception e) {
        System.err.println("stopping " + closeFirst.get(i) + " failed: " + e);
      }
    }
    for (int i = contexts.size() - 1; i >= 0; i--) {
      try {
        contexts.get(i).close();
      } catch (RuntimeException e) {
        System.err.println("stopping " + contexts.get(i).getId() + " failed: " + e);
      }
    }
    contexts.clear();
    if (broker != null) {
      broker.close();
      broker = null;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  /**
   * {@code validate FILE...}: checks SLO spec files as the applications do at start-up and prints
   * every problem with its line and column; 0 when all are valid, 1 when one is not, 2 on a usage
   * error ({@link ValidateCommand}).
   */
  static int validate(String[] args, PrintStream out, PrintStream err) {
    return TierscopeLauncher.run(args, out, err, NO_COMMAND);
  }

  /**
   * Starts everything and prints where to send data and where to ask; with {@code --demo}, also the
   * simulator and its phase reports ({@link DemoMode}).
   */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("surge-proof")) {
      System.exit(
          dev.tierscope.server.surge.SurgeProofCommand.run(
              java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
    }
    if (args.length > 0 && args[0].equals("token")) {
      // token create ...: prints a new secret and the line of the token file that holds its hash
      System.exit(
          TokenCommand.run(
              java.util.Arrays.asList(args).subList(1, args.length), System.out, System.err));
    }
    if (args.length > 0 && !args[0].startsWith("--")) {
      // One deployable alone, as in a separate deployment (docker compose), or validate: the
      // production launcher's commands.
      int status = TierscopeLauncher.run(args, System.out, System.err, NO_COMMAND);
      if (status >= 0) {
        System.exit(status);
      }
      return;
    }
    boolean demo = java.util.Arrays.asList(args).contains("--demo");
    if (demo) {
      args = java.util.Arrays.stream(args).filter(a -> !a.equals("--demo")).toArray(String[]::new);
    }
    ServerOptions options;
    try {
      options = ServerOptions.fromEnvironment(System.getenv(), args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try {
      checkListen(options);
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    long started = System.nanoTime();
    TierscopeServer server;
    try {
      server = start(options);
    } catch (SloSpecException e) {
      // A configuration error, not a crash: the messages alone, as validate prints them.
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println(server.banner(ms, server.authMode().word()));
    if (demo && server.authMode() != AuthMode.NONE) {
      System.err.println(
          "demo: the simulator sends and reads without a token; run --demo with"
              + " tierscope.auth.mode=none (on loopback)");
      System.exit(1);
    }
    if (demo) {
      try {
        server.closeFirst(DemoMode.start(server, System.out));
      } catch (RuntimeException | LinkageError e) {
        System.err.println("demo: the simulator did not start: " + e);
        System.exit(1);
      }
    }
  }
}
