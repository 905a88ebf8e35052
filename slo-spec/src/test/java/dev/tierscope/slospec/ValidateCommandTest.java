package dev.tierscope.slospec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ValidateCommand.run(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void validFileExitsZeroWithASummary() {
    String example = SloSpecReaderTest.EXAMPLE.toString();
    assertThat(run(example)).isEqualTo(ValidateCommand.VALID);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            example
                + ": valid; 3 classes (interactive_premium, standard_interactive, deferred_batch),"
                + " 12 objectives from the file, 3 class rules, fallback standard_interactive"
                + System.lineSeparator());
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void invalidFileExitsOneListingEveryErrorWithLineAndColumn() throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        SloSpecReaderTest.HEADER_TTFT_SLI.replace("sli: ttft", "sli: ttfb")
            + SloSpecReaderTest.ttftSlo(
                "premium-ttft", "interactive_premium", "- op: lte\n  value: 800\n  target: 95"));
    assertThat(run(SloSpecReaderTest.EXAMPLE.toString(), bad.toString()))
        .isEqualTo(ValidateCommand.INVALID);
    String[] lines = err.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith(bad + ":10:14: unknown SLI 'ttfb'");
    assertThat(lines[1]).isEqualTo(bad + ":23:15: target must lie in (0, 1), was 95");
    assertThat(lines[2]).isEqualTo(bad + ": invalid, 2 errors");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("tierscope-slo.yaml: valid;");
  }

  @Test
  void missingFileIsInvalidAndNoFileIsAUsageError() {
    assertThat(run(dir.resolve("nope.yaml").toString())).isEqualTo(ValidateCommand.INVALID);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.yaml: cannot read the file");
    assertThat(run()).isEqualTo(ValidateCommand.USAGE);
    assertThat(run("--strict", "x.yaml")).isEqualTo(ValidateCommand.USAGE);
  }
}
