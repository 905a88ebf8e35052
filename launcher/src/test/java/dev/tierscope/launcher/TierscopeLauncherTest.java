package dev.tierscope.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.launcher.TierscopeLauncher.Deployable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The launcher's command line: what it runs, and the errors of a command it does not know. */
class TierscopeLauncherTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return TierscopeLauncher.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        " (or something else)");
  }

  @Test
  void eachDeployableHasItsCommand() {
    assertThat(Deployable.forCommand("ingest")).contains(Deployable.INGEST);
    assertThat(Deployable.forCommand("aggregator")).contains(Deployable.AGGREGATOR);
    assertThat(Deployable.forCommand("api")).contains(Deployable.API);
    assertThat(Deployable.forCommand("server")).isEmpty();
  }

  @Test
  void unknownOrMissingCommandIsAUsageErrorNamingTheCommands() {
    assertThat(run("aggregater", "--x=1")).isEqualTo(TierscopeLauncher.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "unknown command 'aggregater'; use one of: ingest, aggregator, api, validate, token"
                + " (or something else)"
                + System.lineSeparator());
    err.reset();
    assertThat(run()).isEqualTo(TierscopeLauncher.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("no command; use one of:");
  }

  @Test
  void validateChecksSpecFilesWithItsExitStatus() {
    Path example = Path.of("../docs/examples/tierscope-slo.yaml");
    assertThat(run("validate", example.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(example + ": valid");
    assertThat(run("validate")).isEqualTo(2);
    assertThat(run("validate", "no-such-file.yaml")).isEqualTo(1);
  }
}
