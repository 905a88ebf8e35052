package dev.tierscope.aggregator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** An aggregator deployable in its own JVM, so a test can kill it with SIGKILL mid-stream. */
final class AggregatorProcess implements AutoCloseable {

  private final Process process;
  private final Path log;

  private AggregatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static AggregatorProcess start(String name, Map<String, String> properties) throws IOException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    String tmp = System.getenv("TIERSCOPE_TEST_TMP");
    if (tmp != null) {
      dir = Path.of(tmp);
    }
    Files.createDirectories(dir);
    Path log = dir.resolve("aggregator-" + name + "-" + System.nanoTime() + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(AggregatorApplication.class.getName());
    properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new AggregatorProcess(p, log);
  }

  /** SIGKILL: no shutdown hook, no revocation, no final checkpoint. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
