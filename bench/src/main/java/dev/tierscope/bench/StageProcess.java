package dev.tierscope.bench;

import dev.tierscope.launcher.TierscopeLauncher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One deployable ({@code ingest}, {@code aggregator}, {@code api}) in a JVM of its own, started
 * through the launcher's command as production runs it ({@code tierscope.jar <command>
 * --key=value}), here on this JVM's class path. Its CPU time is read from the operating system.
 */
final class StageProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final Pattern VALUE =
      Pattern.compile(
          "\"statistic\"\\s*:\\s*\"(?:COUNT|VALUE)\"\\s*,\\s*\"value\"\\s*:\\s*([-0-9.Ee]+)");

  private final String name;
  private final Process process;
  private final Path log;
  private final int port;

  private StageProcess(String name, Process process, Path log, int port) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts {@code command} with {@code properties} as Spring Boot arguments; {@code port} is the
   * one whose {@code /actuator/health} tells when it is up.
   */
  static StageProcess start(
      String name,
      String command,
      int port,
      Map<String, String> properties,
      Path logDir,
      String heap)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    // this module's logging (WARN, Tierscope at INFO), named: the launcher's is on the path too
    cmd.add("-Dlogback.configurationFile=" + PipelineBenchmark.loggingConfiguration());
    cmd.add(TierscopeLauncher.class.getName());
    cmd.add(command);
    properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new StageProcess(name, p, log, port);
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  /** Waits until {@code /actuator/health} answers UP. */
  void awaitHealthy(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited; its log: " + log + "\n" + tail());
      }
      try {
        HttpResponse<String> r = get("/actuator/health");
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(name + " did not turn healthy: " + last + "; log " + log);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A Micrometer meter's value (counter COUNT or gauge VALUE) from {@code /actuator/metrics}. */
  double meter(String meter) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/actuator/metrics/" + meter);
    if (r.statusCode() != 200) {
      return 0;
    }
    Matcher m = VALUE.matcher(r.body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** CPU time used so far (user + system), nanoseconds. */
  long cpuNanos() {
    return cpuNanos(process.toHandle());
  }

  static long cpuNanos(ProcessHandle h) {
    return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** SIGTERM (a clean stop: the aggregator's final checkpoint), SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
