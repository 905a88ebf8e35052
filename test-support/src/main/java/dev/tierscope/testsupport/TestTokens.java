package dev.tierscope.testsupport;

import dev.tierscope.auth.Scope;
import dev.tierscope.auth.Tenants;
import dev.tierscope.auth.TokenEntry;
import dev.tierscope.auth.TokenSecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokens for a test: fresh secrets, and the token file that holds their hashes, written the way
 * {@code token create} writes lines.
 *
 * <pre>{@code
 * TestTokens tokens = new TestTokens()
 *     .add("acme-ingest", "acme", Scope.INGEST)
 *     .add("grafana", "*", Scope.READ);
 * Path file = tokens.write(dir.resolve("tokens"));
 * String secret = tokens.secret("acme-ingest");
 * }</pre>
 */
public final class TestTokens {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, TokenEntry> entries = new LinkedHashMap<>();
  private final Map<String, String> secrets = new LinkedHashMap<>();

  /** Adds a token with a new secret; {@code tenants} as in the file ({@code acme,globex} or *). */
  public TestTokens add(String name, String tenants, Scope first, Scope... more) {
    String secret = TokenSecrets.generate(RANDOM);
    entries.put(
        name,
        new TokenEntry(
            name, TokenSecrets.hash(secret), Tenants.parse(tenants), EnumSet.of(first, more)));
    secrets.put(name, secret);
    return this;
  }

  /** Forgets a token (revocation once the file is written again). */
  public TestTokens remove(String name) {
    entries.remove(name);
    return this;
  }

  /** The secret of a token added before. */
  public String secret(String name) {
    String s = secrets.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no token named " + name);
    }
    return s;
  }

  /** {@code Bearer <secret>}. */
  public String bearer(String name) {
    return "Bearer " + secret(name);
  }

  /** The token file's text: one line per token still added. */
  public String text() {
    StringBuilder s = new StringBuilder("# written by a test\n");
    entries.values().forEach(e -> s.append(e.line()).append('\n'));
    return s.toString();
  }

  /** Writes the token file in place (truncating it first), returns it. */
  public Path write(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
