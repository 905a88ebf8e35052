package dev.tierscope.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokensTest {

  static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void findsATokenBySecretAndNotByItsHashOrAnotherSecret() {
    String secret = TokenSecrets.generate(RANDOM);
    String hash = TokenSecrets.hash(secret);
    Tokens tokens =
        Tokens.parse(
            "# comment\n\ncheckout " + hash + " tenants=acme scopes=ingest\n", "tokens.txt");

    assertThat(tokens.find(secret))
        .hasValueSatisfying(
            e -> {
              assertThat(e.name()).isEqualTo("checkout");
              assertThat(e.tenants()).isEqualTo(Tenants.of("acme"));
              assertThat(e.scopes()).containsExactly(Scope.INGEST);
            });
    assertThat(tokens.find(hash)).isEmpty();
    assertThat(tokens.find(TokenSecrets.generate(RANDOM))).isEmpty();
    assertThat(tokens.find(secret + "x")).isEmpty();
  }

  @Test
  void readsTabsAnyTenantAndSeveralScopesInEitherOrder() {
    String hash = TokenSecrets.hash("s");
    Tokens tokens = Tokens.parse("op\t" + hash + "\tscopes=read,admin\ttenants=*", "f");

    TokenEntry e = tokens.entries().get(0);
    assertThat(e.tenants().any()).isTrue();
    assertThat(e.scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.ADMIN);
    assertThat(e.line()).isEqualTo("op " + hash + " tenants=* scopes=read,admin");
  }

  @Test
  void aLineWrittenByEntryLineParsesToTheSameEntry() {
    TokenEntry e =
        new TokenEntry(
            "grafana",
            TokenSecrets.hash("x"),
            Tenants.of("b", "a"),
            Set.of(Scope.READ, Scope.INGEST));

    assertThat(Tokens.parse(e.line(), "f").entries()).containsExactly(e);
    assertThat(e.line()).contains("tenants=a,b scopes=ingest,read");
  }

  @Test
  void reportsEveryInvalidLineWithItsNumber() {
    String h1 = TokenSecrets.hash("1");
    String h2 = TokenSecrets.hash("2");
    String text =
        String.join(
            "\n",
            "ok " + h1 + " tenants=acme scopes=read",
            "short " + h2 + " tenants=acme",
            "badscope " + h2 + " tenants=acme scopes=write",
            "badtenant " + h2 + " tenants=a/b scopes=read",
            "ok " + h2 + " tenants=acme scopes=read",
            "again " + h1 + " tenants=acme scopes=read",
            "nohash md5:abc tenants=acme scopes=read",
            "mixed " + h2 + " tenants=acme,* scopes=read",
            "empty " + h2 + " tenants=acme scopes=");

    assertThatThrownBy(() -> Tokens.parse(text, "tokens.txt"))
        .isInstanceOfSatisfying(
            TokenFileException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "tokens.txt:2: expected 4 fields 'name sha256:<hex> tenants=<a,b or *>"
                            + " scopes=<ingest,read,admin>', found 3",
                        "tokens.txt:3: unknown scope 'write'; known scopes: ingest, read, admin",
                        "tokens.txt:4: tenant must match [A-Za-z0-9_.:-]{1,128}, was 'a/b'",
                        "tokens.txt:5: token name 'ok' is already used on line 1",
                        "tokens.txt:6: the same hash is already on line 1 (one secret, two tokens)",
                        "tokens.txt:7: hash must be 'sha256:' and 64 lowercase hex digits (as"
                            + " 'token create' prints it)",
                        "tokens.txt:8: '*' stands alone: it means every tenant",
                        "tokens.txt:9: unknown scope ''; known scopes: ingest, read, admin"));
  }

  @Test
  void secretsAreLongRandomAndPrefixed() {
    String a = TokenSecrets.generate(RANDOM);
    String b = TokenSecrets.generate(RANDOM);

    assertThat(a).startsWith("tsk_").hasSize(4 + 43).matches("tsk_[A-Za-z0-9_-]{43}");
    assertThat(a).isNotEqualTo(b);
    assertThat(TokenSecrets.hash(a)).matches("sha256:[0-9a-f]{64}");
    // the SHA-256 of "abc" (FIPS 180-2, appendix B.1)
    assertThat(TokenSecrets.hash("abc"))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
