package dev.tierscope.server.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged all-in-one server ({@code target/tierscope-server.jar}) as a child process on a data
 * directory, with its own embedded broker and PostgreSQL, as a user runs it; the test can stop it
 * with SIGTERM or SIGKILL and start it again on the same directory.
 */
final class ServerProcess implements AutoCloseable {

  private static final Pattern OTLP = Pattern.compile("OTLP/HTTP\\s+(https?://[^/\\s]+)");
  private static final Pattern API = Pattern.compile("SLO API\\s+(https?://[^/\\s]+)");

  private final Process process;
  private final Path log;
  private final String otlpUrl;
  private final String apiUrl;

  private ServerProcess(Process process, Path log, String otlpUrl, String apiUrl) {
    this.process = process;
    this.log = log;
    this.otlpUrl = otlpUrl;
    this.apiUrl = apiUrl;
  }

  /**
   * Starts the jar on {@code home} with the broker on {@code kafkaPort} (its controller on the next
   * port) and OTLP/HTTP on {@code otlpHttpPort} (0: any free port), and waits for its banner.
   */
  static ServerProcess start(
      String name, Path home, int kafkaPort, int otlpHttpPort, Map<String, String> properties)
      throws Exception {
    Path jar = Path.of("target", "tierscope-server.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run the package phase first");
    }
    Path dir = Path.of(System.getenv().getOrDefault("TIERSCOPE_TEST_TMP", "target/it-tmp"));
    Files.createDirectories(dir);
    Path log = dir.resolve("server-" + name + "-" + System.nanoTime() + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    cmd.add("-jar");
    cmd.add(jar.toString());
    properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.remove("TIERSCOPE_DB_URL");
    env.remove("TIERSCOPE_KAFKA_BOOTSTRAP_SERVERS");
    env.put("TIERSCOPE_HOME", home.toString());
    env.put("TIERSCOPE_OTLP_HTTP_PORT", Integer.toString(otlpHttpPort));
    env.put("TIERSCOPE_API_PORT", "0");
    env.put("TIERSCOPE_AGGREGATOR_PORT", "0");
    // the actuators of the api and the ingest on ports of their own (8082, 8083 by default)
    env.put("TIERSCOPE_API_MANAGEMENT_PORT", "0");
    env.put("TIERSCOPE_INGEST_MANAGEMENT_PORT", "0");
    env.put("TIERSCOPE_KAFKA_PORT", Integer.toString(kafkaPort));
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      String out = Files.readString(log);
      Matcher otlp = OTLP.matcher(out);
      Matcher api = API.matcher(out);
      if (otlp.find() && api.find()) {
        return new ServerProcess(p, log, otlp.group(1), api.group(1));
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("server exited with " + p.exitValue() + ":\n" + out);
      }
      Thread.sleep(200);
    }
    p.destroyForcibly();
    throw new IllegalStateException("server did not print its banner:\n" + Files.readString(log));
  }

  /** A port that is free now. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** A port p for the broker such that p and p + 1 (its controller) are free now. */
  static int freeKafkaPort() throws IOException {
    for (int i = 0; i < 50; i++) {
      int p;
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        p = s.getLocalPort();
      }
      if (p < 65535) {
        try (ServerSocket a = new ServerSocket();
            ServerSocket b = new ServerSocket()) {
          a.bind(new InetSocketAddress("127.0.0.1", p));
          b.bind(new InetSocketAddress("127.0.0.1", p + 1));
          return p;
        } catch (IOException e) {
          // taken: try another
        }
      }
    }
    throw new IOException("no two adjacent free ports");
  }

  String otlpUrl() {
    return otlpUrl;
  }

  String apiUrl() {
    return apiUrl;
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  /** SIGTERM: the shutdown hook runs. */
  void terminate() {
    process.destroy();
  }

  /**
   * Processes a SIGKILLed server left running (its embedded PostgreSQL): the next start on the same
   * directory stops them, as it would for a user; {@link #stopLeftovers()} stops them when a test
   * ends before that.
   */
  private static final List<ProcessHandle> LEFTOVERS =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Stops whatever a SIGKILLed server left running and is still alive. */
  static void stopLeftovers() {
    for (ProcessHandle h : LEFTOVERS) {
      if (h.isAlive()) {
        h.destroy();
      }
    }
    LEFTOVERS.clear();
  }

  /** SIGKILL: nothing runs. */
  void kill() throws InterruptedException {
    process.descendants().forEach(LEFTOVERS::add);
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean waitFor(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  int exitValue() {
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
