package dev.tierscope.testsupport;

import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.embedded.PostgresEndpoint;
import dev.tierscope.embedded.PostgresServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Shared infrastructure for integration tests: one real Kafka broker and one real PostgreSQL per
 * test JVM, each started on first use and stopped when the JVM exits. Tests stay apart by naming:
 * every test creates its own topics, consumer groups and schema with {@link #uniqueName(String)}
 * and {@link #newSchema()}.
 *
 * <p>PostgreSQL is the server named by {@code TIERSCOPE_DB_URL} (with {@code TIERSCOPE_DB_USER},
 * {@code TIERSCOPE_DB_PASSWORD}) if set, otherwise an embedded one. Kafka data goes into a
 * directory under {@code TIERSCOPE_TEST_TMP} if that is set (failsafe sets it to {@code
 * target/it-tmp}, and the directory is kept for post-mortems), otherwise into a temporary directory
 * that is deleted at exit. All methods are thread-safe.
 */
public final class TestInfra {

  /** Base directory for test data, set by the parent pom's failsafe configuration. */
  public static final String ENV_TEST_TMP = "TIERSCOPE_TEST_TMP";

  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private static KafkaBroker kafka;
  private static Admin admin;
  private static PostgresEndpoint postgres;

  private TestInfra() {}

  /**
   * The shared broker, started by the first call. Later calls return it as it is: a test that stops
   * it (to simulate an outage) must start it again, preferably in a {@code finally} block, because
   * the tests that run after it in this JVM share it.
   */
  public static synchronized KafkaBroker kafka() {
    if (kafka == null) {
      KafkaBroker.Builder builder = KafkaBroker.builder();
      String base = System.getenv(ENV_TEST_TMP);
      if (base != null && !base.isBlank()) {
        try {
          Path dir = Path.of(base);
          Files.createDirectories(dir);
          builder.dataDir(Files.createTempDirectory(dir, "kafka-"));
        } catch (IOException e) {
          throw new UncheckedIOException("Could not create a Kafka data directory in " + base, e);
        }
      }
      KafkaBroker broker = builder.build();
      broker.start(); // also registers the JVM shutdown hook that stops it
      kafka = broker;
    }
    return kafka;
  }

  /** {@code kafka().bootstrapServers()}. */
  public static String bootstrapServers() {
    return kafka().bootstrapServers();
  }

  /**
   * {@code prefix} plus {@code _} and 8 random characters, all lowercase; valid as a Kafka topic, a
   * consumer group and an unquoted PostgreSQL identifier. Characters of the prefix outside {@code
   * [a-z0-9_]} become {@code _}, and it is cut to 40 characters.
   */
  public static String uniqueName(String prefix) {
    String p = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (p.length() > 40) {
      p = p.substring(0, 40);
    }
    if (p.isEmpty() || !Character.isLetter(p.charAt(0)) && p.charAt(0) != '_') {
      p = "t" + p;
    }
    StringBuilder name = new StringBuilder(p).append('_');
    for (int i = 0; i < 8; i++) {
      name.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return name.toString();
  }

  /**
   * Creates a topic on the shared broker (replication factor 1) and waits until every partition has
   * a leader. An existing topic of that name is accepted as it is.
   */
  public static void createTopic(String name, int partitions) {
    Admin a = admin();
    try {
      try {
        a.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
            .all()
            .get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("Could not create topic " + name, e.getCause());
        }
      }
      long deadline = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
      while (true) {
        try {
          TopicDescription d =
              a.describeTopics(List.of(name))
                  .allTopicNames()
                  .get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                  .get(name);
          if (d != null && d.partitions().stream().allMatch(p -> p.leader() != null)) {
            return;
          }
        } catch (ExecutionException e) {
          // not visible yet on the broker: try again
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Topic " + name + " did not appear", e.getCause());
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Topic " + name + " has partitions without a leader");
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + name, e);
    }
  }

  /** The shared PostgreSQL server (TIERSCOPE_DB_URL, or embedded and started on first use). */
  public static synchronized PostgresEndpoint postgres() {
    if (postgres == null) {
      postgres = PostgresServers.fromEnvironmentOrEmbedded(null);
    }
    return postgres;
  }

  /** Creates a new, empty schema with a unique name on the shared server. */
  public static DbSchema newSchema() {
    return newSchema("it");
  }

  /** Creates a new, empty schema named {@code uniqueName(prefix)} on the shared server. */
  public static DbSchema newSchema(String prefix) {
    PostgresEndpoint pg = postgres();
    String schema = uniqueName(prefix);
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        Statement s = c.createStatement()) {
      s.execute("create schema " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create schema " + schema + " on " + pg, e);
    }
    return new DbSchema(withCurrentSchema(pg.jdbcUrl(), schema), pg.user(), pg.password(), schema);
  }

  /** A new connection to the schema (the caller closes it). */
  public static Connection connect(DbSchema schema) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", schema.user());
    props.setProperty("password", schema.password());
    return DriverManager.getConnection(schema.jdbcUrl(), props);
  }

  static String withCurrentSchema(String jdbcUrl, String schema) {
    int q = jdbcUrl.indexOf('?');
    if (q < 0) {
      return jdbcUrl + "?currentSchema=" + schema;
    }
    StringBuilder url = new StringBuilder(jdbcUrl.substring(0, q + 1));
    for (String param : jdbcUrl.substring(q + 1).split("&")) {
      if (!param.isEmpty() && !param.toLowerCase(Locale.ROOT).startsWith("currentschema=")) {
        url.append(param).append('&');
      }
    }
    return url.append("currentSchema=").append(schema).toString();
  }

  private static synchronized Admin admin() {
    String bootstrap = kafka().bootstrapServers();
    if (admin == null) {
      admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  AdminClientConfig.CLIENT_ID_CONFIG,
                  "tierscope-test-infra"));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(() -> admin.close(Duration.ofSeconds(2)), "tierscope-test-admin-close"));
    }
    return admin;
  }
}
