package dev.tierscope.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token file ({@code tierscope.auth.token-file}), read at start and reloaded when its content
 * changes, so that tokens are added, rotated and revoked without a restart.
 *
 * <p>Why it polls the content rather than watching the directory: a file replaced by a rename
 * (editors, {@code mv}, mounted Kubernetes secrets swap a symlink) and a file rewritten in place
 * within the same second must both be noticed, and file-system events and modification times miss
 * one or the other. The file is small; reading it once per interval costs nothing.
 *
 * <p>A new content is applied only once two polls in a row read the same bytes, so that a file
 * caught half-written (truncated, then written) never replaces the tokens with a part of them: a
 * client whose line was not yet written back would be refused in the meantime. A content that does
 * not parse, or a file that cannot be read, keeps the tokens in force and is logged once; the start
 * refuses both.
 *
 * <pre>{@code
 * try (TokenFile file = TokenFile.load(Path.of("/etc/tierscope/tokens"))) {
 *   file.watch(Duration.ofSeconds(1));
 *   AccessControl access = AccessControl.tokens(file);
 *   ...
 * }
 * }</pre>
 */
public final class TokenFile implements TokenSource, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

  private final Path path;
  private volatile Tokens current;
  private byte[] applied;
  private byte[] pending;
  private byte[] lastRefused;
  private String lastUnreadable;
  private ScheduledExecutorService poller;

  private TokenFile(Path path, byte[] bytes, Tokens tokens) {
    this.path = path;
    this.applied = bytes;
    this.current = tokens;
  }

  /**
   * Reads and parses the file.
   *
   * @throws TokenFileException naming every invalid line, or the file when it cannot be read
   */
  public static TokenFile load(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new TokenFileException(
          java.util.List.of(path + ": the token file cannot be read: " + describe(e)));
    }
    Tokens tokens = Tokens.parse(text(bytes), path.toString());
    log.info("token file {}: {} tokens", path, tokens.entries().size());
    return new TokenFile(path, bytes, tokens);
  }

  /** Polls the file every {@code interval} on a daemon thread until {@link #close()}. */
  public synchronized void watch(Duration interval) {
    if (poller != null) {
      return;
    }
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tierscope-token-file");
              t.setDaemon(true);
              return t;
            });
    long millis = Math.max(1, interval.toMillis());
    poller.scheduleWithFixedDelay(this::pollQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public Tokens current() {
    return current;
  }

  /** The file this reads. */
  public Path path() {
    return path;
  }

  /**
   * Reads the file once: applies a content that two polls in a row read and that parses.
   *
   * @return true when this poll applied a new version of the tokens
   */
  public synchronized boolean poll() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      String problem = describe(e);
      if (!problem.equals(lastUnreadable)) {
        log.error(
            "token file {} cannot be read ({}); keeping its last {} tokens",
            path,
            problem,
            current.entries().size());
        lastUnreadable = problem;
      }
      pending = null;
      return false;
    }
    lastUnreadable = null;
    if (Arrays.equals(bytes, applied)) {
      pending = null;
      return false;
    }
    if (pending == null || !Arrays.equals(bytes, pending)) {
      pending = bytes; // wait for the next poll to read the same
      return false;
    }
    pending = null;
    Tokens tokens;
    try {
      tokens = Tokens.parse(text(bytes), path.toString());
    } catch (TokenFileException e) {
      if (!Arrays.equals(bytes, lastRefused)) {
        log.error(
            "token file {} changed but is invalid; keeping its last {} tokens:\n{}",
            path,
            current.entries().size(),
            e.getMessage());
        lastRefused = bytes;
      }
      return false;
    }
    int before = current.entries().size();
    current = tokens;
    applied = bytes;
    lastRefused = null;
    log.info("token file {} reloaded: {} tokens (was {})", path, tokens.entries().size(), before);
    return true;
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      log.error("polling the token file {} failed; will try again", path, e);
    }
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException
        ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.toString();
  }
}
