package dev.tierscope.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A main class of the test's own class path in a JVM of its own, so that a test can kill it with
 * SIGKILL (no shutdown hook, nothing flushed) as a crashing process would die.
 *
 * <pre>{@code
 * try (ChildJvm aggregator = ChildJvm.start("agg-1", AggregatorApplication.class, props)) {
 *   aggregator.kill();
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final Path log;
  private volatile boolean killed;

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * @param name names the log file ({@code TIERSCOPE_TEST_TMP} or the temp directory)
   * @param main the class whose {@code main} runs
   * @param properties passed as {@code --key=value} arguments (Spring Boot reads them)
   */
  public static ChildJvm start(String name, Class<?> main, Map<String, String> properties)
      throws IOException {
    String tmp = System.getenv("TIERSCOPE_TEST_TMP");
    Path dir = tmp != null ? Path.of(tmp) : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(dir);
    Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ChildJvm(p, log);
  }

  /** SIGKILL: no shutdown hook, no clean leave of anything. */
  public void kill() throws InterruptedException {
    killed = true;
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** True once {@link #kill()} was called. */
  public boolean killed() {
    return killed;
  }

  public Path log() {
    return log;
  }

  /** A clean stop (SIGTERM), then SIGKILL after 30 s. */
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
