package dev.tierscope.testsupport.monitoring;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Prometheus, promtool and Alertmanager binaries the monitoring tests start (Debian's
 * {@code prometheus} and {@code prometheus-alertmanager} packages; {@code .ci/run} installs them).
 *
 * <p>Without them a test is skipped with the reason, so that {@code mvn verify} still runs on a
 * machine without them; with {@code TIERSCOPE_REQUIRE_MONITORING=true} (set by {@code .ci/run}) a
 * missing binary fails the test instead, so CI can never skip them silently.
 */
public final class Binaries {

  /** Environment variable that turns a missing binary from a skip into a failure. */
  public static final String REQUIRE = "TIERSCOPE_REQUIRE_MONITORING";

  private static final String INSTALL =
      "apt-get install -y --no-install-recommends prometheus prometheus-alertmanager";

  private Binaries() {}

  /** {@code prometheus} (Debian's 2.42 or newer). */
  public static Path prometheus() {
    return require("prometheus", "prometheus");
  }

  /** {@code promtool}, from the prometheus package. */
  public static Path promtool() {
    return require("promtool", "promtool");
  }

  /** {@code amtool}, from the prometheus-alertmanager package. */
  public static Path amtool() {
    return require("amtool", "amtool");
  }

  /** Debian's {@code prometheus-alertmanager} (upstream: {@code alertmanager}). */
  public static Path alertmanager() {
    return require("alertmanager", "prometheus-alertmanager", "alertmanager");
  }

  /** The first of {@code names} on the PATH, or empty. */
  public static Optional<Path> find(String... names) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String name : names) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private static Path require(String what, String... names) {
    Optional<Path> p = find(names);
    if (p.isPresent()) {
      return p.get();
    }
    String reason = what + " is not installed (" + INSTALL + ")";
    if (Boolean.parseBoolean(System.getenv(REQUIRE))) {
      throw new IllegalStateException(reason + ", and " + REQUIRE + " is set");
    }
    System.err.println("skipped: " + reason);
    Assumptions.abort(reason);
    throw new AssertionError("unreachable");
  }
}
