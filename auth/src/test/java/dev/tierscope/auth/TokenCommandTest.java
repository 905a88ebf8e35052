package dev.tierscope.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        TokenCommand.run(
            List.of(args),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void printsASecretOnceAndTheLineThatAuthenticatesIt() {
    Run r = run("create", "--name", "checkout", "--tenants", "acme", "--scopes", "ingest,read");

    assertThat(r.status()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(2);
    String secret = lines[0].substring("secret: ".length());
    String line = lines[1].substring("line:   ".length());
    assertThat(secret).startsWith("tsk_");
    assertThat(line).doesNotContain(secret).startsWith("checkout sha256:");
    assertThat(r.err()).contains("shown once");

    AccessControl access = AccessControl.tokens(() -> Tokens.parse(line, "printed"));
    Access a =
        access.checkOneTenant(
            new Credentials("Bearer " + secret, null, List.of(), null), Scope.INGEST);
    assertThat(a)
        .isInstanceOfSatisfying(
            Access.Granted.class, g -> assertThat(g.tenant()).isEqualTo("acme"));
  }

  @Test
  void appendsToATokenFileReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("tokens");
    Run first =
        run("create", "--name=a", "--tenants=acme", "--scopes=ingest", "--append", file.toString());
    Run second =
        run(
            "create",
            "--name",
            "b",
            "--tenants",
            "*",
            "--scopes",
            "read",
            "--append",
            file.toString());

    assertThat(first.status()).isZero();
    assertThat(second.status()).isZero();
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Tokens tokens = TokenFile.load(file).current();
    assertThat(tokens.entries()).extracting(TokenEntry::name).containsExactly("a", "b");
    String secretB = second.out().lines().findFirst().orElseThrow().substring("secret: ".length());
    assertThat(tokens.find(secretB))
        .hasValueSatisfying(e -> assertThat(e.tenants().any()).isTrue());

    Run duplicate =
        run(
            "create",
            "--name",
            "a",
            "--tenants",
            "x",
            "--scopes",
            "read",
            "--append",
            file.toString());
    assertThat(duplicate.status()).isEqualTo(TokenCommand.IO_ERROR);
    assertThat(duplicate.err()).contains("already has a token named 'a'");
    assertThat(duplicate.out()).as("no secret printed for a token not added").isEmpty();
  }

  @Test
  void refusesBadUsageWithoutPrintingASecret() {
    assertThat(run().status()).isEqualTo(TokenCommand.USAGE);
    assertThat(run("delete").status()).isEqualTo(TokenCommand.USAGE);
    Run missing = run("create", "--name", "x", "--tenants", "acme");
    assertThat(missing.status()).isEqualTo(TokenCommand.USAGE);
    assertThat(missing.err()).contains("--scopes are required");
    Run badScope = run("create", "--name", "x", "--tenants", "acme", "--scopes", "write");
    assertThat(badScope.err()).contains("unknown scope 'write'");
    Run badTenant = run("create", "--name", "x", "--tenants", "a b", "--scopes", "read");
    assertThat(badTenant.err()).contains("tenant must match");
    Run badName = run("create", "--name", "-x", "--tenants", "a", "--scopes", "read");
    assertThat(badName.err()).contains("token name must match");
    assertThat(badScope.out() + badTenant.out() + badName.out() + missing.out()).isEmpty();
  }
}
