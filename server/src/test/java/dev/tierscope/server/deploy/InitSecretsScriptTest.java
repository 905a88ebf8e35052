package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.auth.Access;
import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Credentials;
import dev.tierscope.auth.Scope;
import dev.tierscope.auth.Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker/init-secrets.sh}, run by {@code sh} in a copy of the repository layout: it fills
 * every variable of {@code .env.example}, writes a token file that Tierscope's own parser reads,
 * and the secrets it put in {@code .env} authenticate against that file with the scopes and tenants
 * compose relies on; a second run changes nothing.
 */
class InitSecretsScriptTest {

  @TempDir Path root;

  @Test
  void makesPasswordsAndTokensThatAuthenticateAgainstTheTokenFile() throws Exception {
    Path repo = RepoFiles.root();
    Files.createDirectories(root.resolve("docker"));
    Files.copy(repo.resolve("docker/init-secrets.sh"), root.resolve("docker/init-secrets.sh"));
    Files.copy(repo.resolve(".env.example"), root.resolve(".env"));

    run();

    Map<String, String> env = env();
    for (String name : List.of("POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD")) {
      assertThat(env.get(name)).as(name).matches("[A-Za-z0-9_-]{43}");
    }
    assertThat(env.get("TIERSCOPE_READ_TOKEN")).matches("tsk_[A-Za-z0-9_-]{43}");
    assertThat(env.get("TIERSCOPE_INGEST_TOKEN")).matches("tsk_[A-Za-z0-9_-]{43}");
    assertThat(env).as("no empty assignment left").allSatisfy((k, v) -> assertThat(v).isNotEmpty());
    assertThat(Files.getPosixFilePermissions(root.resolve(".env")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    String file = Files.readString(root.resolve("secrets/tokens"), StandardCharsets.UTF_8);
    assertThat(file)
        .doesNotContain(env.get("TIERSCOPE_READ_TOKEN"), env.get("TIERSCOPE_INGEST_TOKEN"));
    Tokens tokens = Tokens.parse(file, "secrets/tokens");
    AccessControl access = AccessControl.tokens(() -> tokens);
    Access read =
        access.check(
            new Credentials(
                "Bearer " + env.get("TIERSCOPE_READ_TOKEN"), "any-tenant", List.of(), null),
            Scope.READ);
    assertThat(read).isInstanceOf(Access.Granted.class);
    assertThat(
            access.check(
                new Credentials("Bearer " + env.get("TIERSCOPE_READ_TOKEN"), null, List.of(), null),
                Scope.INGEST))
        .as("the read token cannot ingest")
        .isInstanceOf(Access.Refused.class);
    Access ingest =
        access.checkOneTenant(
            new Credentials("Bearer " + env.get("TIERSCOPE_INGEST_TOKEN"), null, List.of(), null),
            Scope.INGEST);
    assertThat(ingest)
        .isInstanceOfSatisfying(
            Access.Granted.class,
            g -> assertThat(g.tenant()).as("the dashboards' default tenant").isEqualTo("default"));

    // Again: everything is kept.
    run();
    assertThat(env()).isEqualTo(env);
    assertThat(Files.readString(root.resolve("secrets/tokens"), StandardCharsets.UTF_8))
        .isEqualTo(file);
  }

  private void run() throws Exception {
    Process p =
        new ProcessBuilder("sh", root.resolve("docker/init-secrets.sh").toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  private Map<String, String> env() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(root.resolve(".env"))) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        int eq = l.indexOf('=');
        out.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    return out;
  }
}
