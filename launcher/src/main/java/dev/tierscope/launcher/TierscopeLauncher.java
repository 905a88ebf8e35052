package dev.tierscope.launcher;

import dev.tierscope.aggregator.AggregatorApplication;
import dev.tierscope.api.ApiApplication;
import dev.tierscope.auth.TokenCommand;
import dev.tierscope.ingest.IngestApplication;
import dev.tierscope.slospec.ValidateCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The production launcher: runs one deployable per process ({@code ingest}, {@code aggregator} or
 * {@code api}) against the Kafka and PostgreSQL its configuration names, or checks SLO spec files
 * ({@code validate}).
 *
 * <p>Why a launcher of its own: the all-in-one {@code server} carries a Kafka broker (with Scala),
 * an embedded PostgreSQL and the simulator for the quick start and the demo. A container that runs
 * one deployable needs none of them, so this module depends on the three applications only and its
 * {@code lib/} is what the production image ships. The server hands its commands to this class, so
 * both run a deployable the same way.
 *
 * <pre>{@code
 * java -jar launcher/target/tierscope.jar aggregator --spring.datasource.url=jdbc:postgresql://...
 * java -jar launcher/target/tierscope.jar validate tierscope-slo.yaml
 * }</pre>
 */
public final class TierscopeLauncher {

  /** Exit status of a command line this launcher does not understand. */
  static final int USAGE = 2;

  /** A Spring Boot application this launcher runs, with the command that names it. */
  public enum Deployable {
    // The launcher's class path holds the libraries of all three deployables, so each would
    // auto-configure what another one needs. The ingest uses no database: it must not build a
    // DataSource (without spring.datasource.url it could not start at all).
    // The ingest's and the api's actuator (other than health) is on a management port of its own,
    // on loopback, unless the environment or the arguments say otherwise (defaults rank below
    // everything else).
    INGEST(
        "ingest",
        IngestApplication.class,
        IngestApplication.CONFIG_NAME,
        Map.of(
            "spring.autoconfigure.exclude",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "management.server.port",
            "8083",
            "management.server.address",
            "127.0.0.1")),
    AGGREGATOR(
        "aggregator", AggregatorApplication.class, AggregatorApplication.CONFIG_NAME, Map.of()),
    API(
        "api",
        ApiApplication.class,
        ApiApplication.CONFIG_NAME,
        Map.of("management.server.port", "8082", "management.server.address", "127.0.0.1"));

    private final String command;
    private final Class<?> application;
    private final String configName;
    private final Map<String, Object> defaults;

    Deployable(
        String command, Class<?> application, String configName, Map<String, Object> defaults) {
      this.command = command;
      this.application = application;
      this.configName = configName;
      this.defaults = defaults;
    }

    /** The command line word, e.g. {@code aggregator}. */
    public String command() {
      return command;
    }

    /** The Spring Boot application class. */
    public Class<?> application() {
      return application;
    }

    /** The deployable a command names, if any. */
    public static Optional<Deployable> forCommand(String command) {
      return Arrays.stream(values()).filter(d -> d.command.equals(command)).findFirst();
    }

    /**
     * Starts the application with its own {@code tierscope-<app>.properties}; {@code args} are
     * Spring Boot arguments ({@code --key=value}), which outrank that file.
     */
    public ConfigurableApplicationContext run(String... args) {
      SpringApplication app = new SpringApplication(application);
      app.setMainApplicationClass(application);
      Map<String, Object> properties = new HashMap<>(defaults);
      properties.put("spring.config.name", configName);
      app.setDefaultProperties(properties);
      return app.run(args);
    }
  }

  private TierscopeLauncher() {}

  /**
   * Runs the command of {@code args}: a deployable keeps running (the JVM lives as long as it), and
   * {@code validate} exits with its status.
   */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err, "");
    if (status >= 0) {
      System.exit(status);
    }
  }

  /**
   * Runs the command of {@code args}.
   *
   * @param otherwise what a usage message adds after the commands this launcher knows (the server
   *     adds its own no-command mode)
   * @return the exit status of {@code validate} or of a usage error; -1 when a deployable started
   */
  public static int run(String[] args, PrintStream out, PrintStream err, String otherwise) {
    String command = args.length == 0 ? "" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    if (command.equals("validate")) {
      return ValidateCommand.run(Arrays.asList(rest), out, err);
    }
    if (command.equals("token")) {
      // token create ...: prints a new secret and the line of the token file that holds its hash
      return TokenCommand.run(Arrays.asList(rest), out, err);
    }
    Optional<Deployable> deployable = Deployable.forCommand(command);
    if (deployable.isEmpty()) {
      err.println(
          (command.isEmpty() ? "no command" : "unknown command '" + command + "'")
              + "; use one of: ingest, aggregator, api, validate, token"
              + otherwise);
      return USAGE;
    }
    deployable.get().run(rest);
    return -1;
  }
}
