package dev.tierscope.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running as a child JVM
 * process.
 *
 * <p>The child runs Kafka's own {@code kafka.Kafka} entry point (through {@link BrokerMain}) from
 * the {@code kafka_2.13} artifact on this JVM's classpath. Unlike an in-process broker it can be
 * stopped, killed and started again on the same ports and the same data, which is what broker
 * outage tests need. The child also dies when this JVM dies, even when this JVM is killed with
 * SIGKILL: it watches its stdin pipe, which this class keeps open and never writes to.
 *
 * <p>Ports are chosen once when the broker is built, so a restart reuses them. All methods are
 * thread-safe.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);

  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int LOG_TAIL_LINES = 40;

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int port;
  private final int controllerPort;
  private final Map<String, String> extraProperties;
  private final boolean registerShutdownHook;

  private Process process;
  private OutputStream childStdin;
  private Thread shutdownHook;
  private boolean closed;

  private KafkaBroker(Builder builder) {
    try {
      if (builder.dataDir == null) {
        this.dataDir = Files.createTempDirectory("tierscope-kafka-").toAbsolutePath();
        this.ownsDataDir = true;
      } else {
        this.dataDir = builder.dataDir.toAbsolutePath();
        this.ownsDataDir = false;
      }
      // three distinct free ports: at least two of them differ from any port that was given
      int[] free = freePorts(3);
      this.port = builder.port > 0 ? builder.port : firstOther(free, builder.controllerPort);
      this.controllerPort =
          builder.controllerPort > 0 ? builder.controllerPort : firstOther(free, this.port);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not prepare the Kafka broker", e);
    }
    this.extraProperties = new LinkedHashMap<>(builder.properties);
    this.registerShutdownHook = builder.shutdownHook;
  }

  /** Returns a builder; every setting is optional. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the broker and blocks until it answers an Admin {@code describeCluster} (at most 60 s).
   * Formats the storage first if this data directory has never been formatted. Does nothing if the
   * broker is already running.
   *
   * @throws IllegalStateException if the broker does not become ready; the message carries the
   *     child's exit code (if it died) and the tail of its log
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("This KafkaBroker has been closed");
    }
    if (isRunning()) {
      return;
    }
    long startedAt = System.nanoTime();
    try {
      Files.createDirectories(dataDir);
      writeConfiguration();
      if (!Files.exists(logDir().resolve("meta.properties"))) {
        formatStorage();
      }
      registerShutdownHook();
      ProcessBuilder pb =
          new ProcessBuilder(
              javaCommand(BrokerMain.class.getName(), serverProperties().toString()));
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("broker.out").toFile()));
      // stdin stays a pipe that we hold open: BrokerMain exits when it is closed
      pb.redirectInput(ProcessBuilder.Redirect.PIPE);
      process = pb.start();
      childStdin = process.getOutputStream();
    } catch (IOException e) {
      destroyChild(Duration.ZERO);
      throw new UncheckedIOException("Could not start the Kafka broker in " + dataDir, e);
    }
    try {
      awaitReady(startedAt + START_TIMEOUT.toNanos());
    } catch (RuntimeException e) {
      destroyChild(Duration.ZERO);
      throw e;
    }
    log.info(
        "Kafka broker ready on {} in {} ms (data in {})",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
        dataDir);
  }

  /**
   * Stops the broker gracefully (SIGTERM, then SIGKILL after 30 s) and waits until the process has
   * ended. Its data is kept, so {@link #start()} brings the same broker back on the same ports.
   * Does nothing if it is not running.
   */
  public synchronized void stop() {
    destroyChild(STOP_TIMEOUT);
  }

  /**
   * Kills the broker at once (SIGKILL), like a crash, and waits until the process has ended. Its
   * data is kept; a later {@link #start()} recovers it the way Kafka recovers after a crash.
   */
  public synchronized void kill() {
    destroyChild(Duration.ZERO);
  }

  /** Stops the broker and deletes the data directory if this object created it. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down
      }
    }
    if (ownsDataDir) {
      deleteRecursively(dataDir);
    }
  }

  /** {@code 127.0.0.1:port}, valid whether or not the broker is running. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** Whether the child process is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The PLAINTEXT (client) port. */
  public int port() {
    return port;
  }

  /** The KRaft controller port. */
  public int controllerPort() {
    return controllerPort;
  }

  /**
   * Holds {@code server.properties}, {@code kraft-logs/}, {@code broker.out}, {@code broker.log}.
   */
  public Path dataDir() {
    return dataDir;
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", " + dataDir + "]";
  }

  // ---------------------------------------------------------------------------------------------

  private Path logDir() {
    return dataDir.resolve("kraft-logs");
  }

  private Path serverProperties() {
    return dataDir.resolve("server.properties");
  }

  private void writeConfiguration() throws IOException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir().toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    p.putAll(extraProperties);

    StringBuilder text = new StringBuilder("# written by ").append(getClass().getName());
    text.append(" on every start\n");
    p.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Files.writeString(serverProperties(), text);

    String logFile = xml(dataDir.resolve("broker.log").toString());
    Files.writeString(
        dataDir.resolve("logback-broker.xml"),
        "<configuration>\n"
            + "  <appender name=\"FILE\" class=\"ch.qos.logback.core.FileAppender\">\n"
            + "    <file>"
            + logFile
            + "</file>\n"
            + "    <append>true</append>\n"
            + "    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger - %msg%n</pattern>"
            + "</encoder>\n"
            + "  </appender>\n"
            + "  <root level=\"WARN\"><appender-ref ref=\"FILE\"/></root>\n"
            + "</configuration>\n");
    Files.writeString(
        dataDir.resolve("log4j2-broker.xml"),
        "<Configuration status=\"ERROR\">\n"
            + "  <Appenders>\n"
            + "    <File name=\"FILE\" fileName=\""
            + logFile
            + "\" append=\"true\">\n"
            + "      <PatternLayout pattern=\"%d{ISO8601} %-5level [%t] %c - %m%n\"/>\n"
            + "    </File>\n"
            + "  </Appenders>\n"
            + "  <Loggers><Root level=\"WARN\"><AppenderRef ref=\"FILE\"/></Root></Loggers>\n"
            + "</Configuration>\n");
  }

  private List<String> javaCommand(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms256m");
    cmd.add("-Xmx768m");
    cmd.add("-XX:+UseG1GC");
    // one entry or many, possibly a manifest-only jar: the child JVM honours its Class-Path
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Dlogback.configurationFile=" + dataDir.resolve("logback-broker.xml"));
    cmd.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2-broker.xml"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void formatStorage() throws IOException {
    String clusterId = Uuid.randomUuid().toString();
    Path out = dataDir.resolve("format.out");
    ProcessBuilder pb =
        new ProcessBuilder(
            javaCommand(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId,
                "-c",
                serverProperties().toString()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(out.toFile());
    Process format = pb.start();
    format.getOutputStream().close();
    boolean finished;
    try {
      finished = format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      format.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
    }
    if (!finished) {
      format.destroyForcibly();
      throw new IllegalStateException(
          "Formatting Kafka storage in " + logDir() + " timed out\n" + tail(out));
    }
    if (format.exitValue() != 0) {
      throw new IllegalStateException(
          "Formatting Kafka storage in "
              + logDir()
              + " failed with exit code "
              + format.exitValue()
              + "\n"
              + tail(out));
    }
  }

  private void awaitReady(long deadline) {
    // first wait for the listener socket, so the Admin client does not log refused connections
    Exception last = null;
    while (System.nanoTime() < deadline) {
      checkAlive();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, port), 500);
        break;
      } catch (IOException e) {
        last = e;
        sleep(100);
      }
    }
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "tierscope-embedded-readiness");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    try (Admin admin = Admin.create(config)) {
      while (System.nanoTime() < deadline) {
        checkAlive();
        try {
          Collection<Node> nodes =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                  .nodes()
                  .get(4, TimeUnit.SECONDS);
          if (!nodes.isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
        sleep(100);
      }
    }
    throw new IllegalStateException(
        "Kafka broker on "
            + bootstrapServers()
            + " was not ready within "
            + START_TIMEOUT.toSeconds()
            + " s (last error: "
            + last
            + ")\n"
            + logTails(),
        last);
  }

  private void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "Kafka broker process exited with code "
              + process.exitValue()
              + " during start-up (data in "
              + dataDir
              + ")\n"
              + logTails());
    }
  }

  private String logTails() {
    return tail(dataDir.resolve("broker.out")) + tail(dataDir.resolve("broker.log"));
  }

  private void destroyChild(Duration grace) {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      if (p.isAlive()) {
        boolean ended = false;
        if (!grace.isZero()) {
          p.destroy();
          ended = p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
          if (!ended) {
            log.warn("Kafka broker {} did not stop within {}; killing it", this, grace);
          }
        }
        if (!ended) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      // only now, with the child gone, may the pipe that keeps it alive be closed
      try {
        if (childStdin != null) {
          childStdin.close();
        }
      } catch (IOException ignored) {
        // nothing to do
      }
      childStdin = null;
      process = null;
    }
  }

  private void registerShutdownHook() {
    if (registerShutdownHook && shutdownHook == null) {
      shutdownHook = new Thread(this::close, "tierscope-kafka-broker-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket();
        sockets.add(s);
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(HOST, 0));
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static int firstOther(int[] candidates, int taken) {
    for (int candidate : candidates) {
      if (candidate != taken) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free port");
  }

  /**
   * The last lines of a file without stack frames (so that the "Caused by" chain fits), prefixed
   * with its name; empty text if the file does not exist or is empty.
   */
  static String tail(Path file) {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (length == 0) {
        return "";
      }
      int size = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[size];
      raf.seek(length - size);
      raf.readFully(bytes);
      List<String> lines = new ArrayList<>();
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        String t = line.strip();
        if (!t.startsWith("at ")
            && !(t.startsWith("... ") && t.endsWith("more"))
            && !(t.startsWith("... ") && t.endsWith("omitted"))) {
          lines.add(line);
        }
      }
      int from = Math.max(0, lines.size() - LOG_TAIL_LINES);
      StringBuilder sb = new StringBuilder("--- last lines of ").append(file);
      sb.append(" (stack frames left out) ---\n");
      for (String line : lines.subList(from, lines.size())) {
        sb.append(line).append('\n');
      }
      return sb.toString();
    } catch (IOException e) {
      return "--- could not read " + file + ": " + e + " ---\n";
    }
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("Could not delete {}: {}", dir, e.toString());
    }
  }

  /** Builds a {@link KafkaBroker}; nothing is started until {@link KafkaBroker#start()}. */
  public static final class Builder {
    private Path dataDir;
    private int port;
    private int controllerPort;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private boolean shutdownHook = true;

    private Builder() {}

    /**
     * Whether {@link KafkaBroker#start()} registers a JVM shutdown hook that stops the broker
     * (default true). An owner that stops it itself, in order with what uses it, turns it off: JVM
     * shutdown hooks run concurrently, so the broker would otherwise stop under its clients. The
     * child process still exits when this JVM dies, since it watches its standard input.
     */
    public Builder shutdownHook(boolean register) {
      this.shutdownHook = register;
      return this;
    }

    /**
     * Where the broker keeps its configuration, logs and data; kept on close. Default: a new
     * temporary directory, deleted on {@link KafkaBroker#close()}.
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** The client (PLAINTEXT) port; 0 (the default) picks a free port once, at build time. */
    public Builder port(int port) {
      this.port = checkPort(port);
      return this;
    }

    /** The KRaft controller port; 0 (the default) picks a free port once, at build time. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = checkPort(controllerPort);
      return this;
    }

    /** Adds or overrides one broker setting in {@code server.properties}. */
    public Builder property(String key, String value) {
      properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Creates the broker (and picks its ports and temporary data directory) without starting it.
     */
    public KafkaBroker build() {
      if (port > 0 && port == controllerPort) {
        throw new IllegalArgumentException("port and controllerPort must differ: " + port);
      }
      return new KafkaBroker(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Not a port: " + port);
      }
      return port;
    }
  }
}
