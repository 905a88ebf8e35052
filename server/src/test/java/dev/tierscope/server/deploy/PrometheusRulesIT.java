package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.testsupport.monitoring.Binaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule file with the real {@code promtool} (Debian's prometheus package): it checks, its unit
 * tests pass (every alert fires on a synthetic fault and resolves after it), and the same unit
 * tests fail against a rule file with a wrong threshold, so they could catch one. The compose
 * configurations of Prometheus and Alertmanager pass {@code promtool check config} and {@code
 * amtool check-config}.
 */
class PrometheusRulesIT {

  private final Path rules = RepoFiles.root().resolve("prometheus/tierscope-slo-rules.yml");
  private final Path tests = RepoFiles.root().resolve("prometheus/tierscope-slo-rules.test.yml");

  record Run(int exit, String output) {}

  private static Run promtool(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.promtool().toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void promtoolChecksTheRuleFile() throws Exception {
    Run r = promtool(rules.getParent(), "check", "rules", rules.getFileName().toString());
    System.out.println(r.output());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 18 rules found");
  }

  @Test
  void theComposeConfigurationsOfPrometheusAndAlertmanagerCheck(@TempDir Path copy)
      throws Exception {
    Path dir = rules.getParent();
    // promtool checks that the scrape's credentials file exists; compose makes it inside the
    // container only, so the check runs on a copy whose only change is where that file is
    String secret = "/run/secrets/tierscope-read-token";
    String yaml = Files.readString(dir.resolve("prometheus.yml"));
    assertThat(yaml).contains("credentials_file: " + secret);
    Path credentials = Files.writeString(copy.resolve("read-token"), "tsk_example\n");
    Files.writeString(copy.resolve("prometheus.yml"), yaml.replace(secret, credentials.toString()));
    Files.copy(rules, copy.resolve(rules.getFileName()));
    Run config = promtool(copy, "check", "config", "prometheus.yml");
    System.out.println(config.output());
    assertThat(config.exit()).as(config.output()).isZero();
    // the configuration loads the repository's rule file
    assertThat(config.output()).contains("SUCCESS: 1 rule files found", "SUCCESS: 18 rules found");
    Process p =
        new ProcessBuilder(Binaries.amtool().toString(), "check-config", "alertmanager.yml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("amtool finished").isTrue();
    System.out.println(out);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS", "1 inhibit rules");
  }

  @Test
  void everyAlertFiresOnASyntheticFaultAndResolvesAfterIt() throws Exception {
    Run r = promtool(tests.getParent(), "test", "rules", tests.getFileName().toString());
    System.out.println(r.output());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
    // what the unit tests expect: both severities fire, and later nothing fires
    String text = Files.readString(tests);
    assertThat(text).contains("severity: page", "severity: ticket");
    assertThat(text.lastIndexOf("exp_alerts: []"))
        .as("the last expectation is that nothing fires")
        .isGreaterThan(text.lastIndexOf("severity: page"))
        .isGreaterThan(text.lastIndexOf("severity: ticket"));
  }

  @Test
  void theUnitTestsFailAgainstAWrongThreshold(@TempDir Path dir) throws Exception {
    String text = Files.readString(rules);
    String broken =
        text.replace("tierscope_slo:burn_rate:rate30m > 6", "tierscope_slo:burn_rate:rate30m > 60");
    assertThat(broken).isNotEqualTo(text);
    copy(dir, "tierscope-slo-rules.yml", broken);
    copy(dir, "tierscope-slo-rules.test.yml", Files.readString(tests));
    Run r = promtool(dir, "test", "rules", "tierscope-slo-rules.test.yml");
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("FAILED");
  }

  private static void copy(Path dir, String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }
}
