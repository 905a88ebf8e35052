package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.auth.Scope;
import dev.tierscope.embedded.PostgresEndpoint;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.testsupport.TestTokens;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the all-in-one server listens, read from the kernel's socket tables (nothing connects to
 * another address of the host): by default every listener of the server's JVM, of its Kafka broker
 * and of its PostgreSQL is bound to loopback, and the banner names those addresses; {@code
 * --listen=0.0.0.0} is refused without authentication and binds every interface with it.
 */
class ListenAddressIT {

  @BeforeAll
  static void linuxSocketTables() {
    Assumptions.assumeTrue(
        ListeningSockets.supported(),
        "reads bound addresses from /proc/<pid>/net/tcp, which this system does not have");
  }

  @Test
  void byDefaultEveryListenerOfTheServerItsBrokerAndItsDatabaseIsOnLoopback() throws Exception {
    Path home = Files.createTempDirectory("tierscope-listen");
    // The server's own embedded broker and PostgreSQL (unless TIERSCOPE_DB_URL names one), as the
    // quick start runs them; only the ports are free ones instead of 4318, 4317, 8080, ...
    ServerOptions options =
        new ServerOptions(
            home,
            0,
            0,
            0,
            null,
            0,
            null,
            Map.of("tierscope.ingest.grpc-port", "0"),
            ServerOptions.fromEnvironment(Map.of(), new String[0]).listen(),
            freePort(),
            freePort());
    assertThat(options.listen()).isEqualTo("127.0.0.1");
    try (TierscopeServer server = TierscopeServer.start(options)) {
      Set<Integer> ports =
          Set.of(
              server.otlpHttpPort(),
              server.otlpGrpcPort(),
              server.apiPort(),
              server.aggregatorPort(),
              server.apiManagementPort(),
              server.ingestManagementPort());
      List<ListeningSockets.Socket> jvm = ListeningSockets.of(ProcessHandle.current().pid());
      assertThat(jvm.stream().map(ListeningSockets.Socket::port).collect(Collectors.toSet()))
          .as("the server's JVM listens on %s", jvm)
          .containsAll(ports);
      assertThat(jvm)
          .as("every socket the server's JVM listens on")
          .allMatch(ListeningSockets.Socket::isLoopback);

      String bootstrap = server.kafkaBootstrapServers();
      int kafkaPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
      ProcessHandle broker =
          ProcessHandle.current()
              .descendants()
              .filter(
                  p -> ListeningSockets.of(p.pid()).stream().anyMatch(s -> s.port() == kafkaPort))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError("no child process listens on Kafka's port " + kafkaPort));
      List<ListeningSockets.Socket> kafka = ListeningSockets.of(broker.pid());
      assertThat(kafka).as("the broker listens").isNotEmpty();
      assertThat(kafka)
          .as("every socket of the Kafka broker")
          .allMatch(ListeningSockets.Socket::isLoopback);

      Path postmasterPid = home.resolve("postgres/postmaster.pid");
      if (Files.exists(postmasterPid)) {
        long pid = Long.parseLong(Files.readAllLines(postmasterPid).get(0).trim());
        List<ListeningSockets.Socket> postgres = ListeningSockets.of(pid);
        assertThat(postgres).as("PostgreSQL listens").isNotEmpty();
        assertThat(postgres)
            .as("every socket of PostgreSQL")
            .allMatch(ListeningSockets.Socket::isLoopback);
        assertThat(server.database().password()).as("a generated password, not trust").isNotEmpty();
      }

      String banner = server.banner(1234, server.authMode().word());
      assertThat(banner)
          .contains("OTLP/HTTP   http://127.0.0.1:" + server.otlpHttpPort() + "/v1/traces")
          .contains("OTLP/gRPC   127.0.0.1:" + server.otlpGrpcPort())
          .contains("SLO API     http://127.0.0.1:" + server.apiPort() + "/api/v1/slo")
          .contains("Health      http://127.0.0.1:" + server.apiPort() + "/actuator/health")
          .contains(
              "Management  api http://127.0.0.1:"
                  + server.apiManagementPort()
                  + "/actuator, ingest http://127.0.0.1:"
                  + server.ingestManagementPort()
                  + "/actuator")
          .contains("Aggregator  http://127.0.0.1:" + server.aggregatorPort() + "/actuator/health")
          .contains("Listening on 127.0.0.1; authentication none");
    }
  }

  @Test
  void listeningBeyondLoopbackWithoutAuthenticationIsRefusedBeforeAnythingStarts()
      throws Exception {
    Path home = Files.createTempDirectory("tierscope-open");
    ServerOptions options =
        ServerOptions.fromEnvironment(
            Map.of("TIERSCOPE_HOME", home.toString()), new String[] {"--listen=0.0.0.0"});

    assertThatThrownBy(() -> TierscopeServer.start(options))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "tierscope.auth.mode=none is allowed only while every listener is bound to loopback,"
                + " but OTLP/HTTP, OTLP/gRPC, the API and the management ports (--listen"
                + " (TIERSCOPE_LISTEN)=0.0.0.0) is not.");
    assertThat(home.resolve("kafka")).as("no broker was started").doesNotExist();
    assertThat(home.resolve("postgres")).as("no PostgreSQL was started").doesNotExist();
  }

  @Test
  void withTokensListenBindsEveryInterface() throws Exception {
    Path home = Files.createTempDirectory("tierscope-everywhere");
    Path tokens =
        new TestTokens()
            .add("operator", "*", Scope.READ, Scope.ADMIN)
            .write(home.resolve("tokens"));
    String topic = TestInfra.uniqueName("spans");
    DbSchema schema = TestInfra.newSchema("listen");
    Map<String, String> properties = new HashMap<>();
    properties.put("tierscope.ingest.grpc-port", "0");
    properties.put("tierscope.spans.topic", topic);
    properties.put("tierscope.spans.dead-letter-topic", topic + ".dlq");
    properties.put("tierscope.aggregator.group", TestInfra.uniqueName("aggregator"));
    properties.put("tierscope.auth.mode", "token");
    properties.put("tierscope.auth.token-file", tokens.toString());
    ServerOptions options =
        new ServerOptions(
            home,
            0,
            0,
            0,
            TestInfra.bootstrapServers(),
            0,
            new PostgresEndpoint(schema.jdbcUrl(), schema.user(), schema.password()),
            properties,
            "0.0.0.0",
            freePort(),
            freePort());
    try (TierscopeServer server = TierscopeServer.start(options)) {
      List<ListeningSockets.Socket> jvm = ListeningSockets.of(ProcessHandle.current().pid());
      for (int port :
          List.of(
              server.otlpHttpPort(),
              server.otlpGrpcPort(),
              server.apiPort(),
              server.aggregatorPort(),
              server.apiManagementPort(),
              server.ingestManagementPort())) {
        assertThat(jvm.stream().filter(s -> s.port() == port))
            .as("port %d in %s", port, jvm)
            .isNotEmpty()
            .allMatch(ListeningSockets.Socket::isWildcard);
      }
      assertThat(server.banner(1, server.authMode().word()))
          .contains("Listening on 0.0.0.0 (every interface); authentication token")
          .contains("http://127.0.0.1:" + server.apiPort());
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
