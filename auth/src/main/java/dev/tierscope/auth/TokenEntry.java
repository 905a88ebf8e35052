package dev.tierscope.auth;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One line of the token file: a token's name, the hash of its secret, its tenants and scopes. The
 * secret itself is never stored.
 *
 * @param name unique name, for logs and messages (e.g. {@code grafana}, {@code checkout-ingest})
 * @param hash {@code sha256:} and the lowercase hex SHA-256 of the secret ({@link TokenSecrets})
 * @param tenants the tenants the token acts for
 * @param scopes what it may do; at least one
 */
public record TokenEntry(String name, String hash, Tenants tenants, Set<Scope> scopes) {

  /** What a token's name may look like. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}");

  public TokenEntry {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "token name must match " + NAME.pattern() + ", was '" + name + "'");
    }
    if (hash == null || !TokenSecrets.isHash(hash)) {
      throw new IllegalArgumentException(
          "hash must be 'sha256:' and 64 lowercase hex digits (as 'token create' prints it)");
    }
    if (tenants == null) {
      throw new IllegalArgumentException("tenants must be set");
    }
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("a token needs at least one scope (ingest, read, admin)");
    }
    scopes = Set.copyOf(EnumSet.copyOf(scopes));
  }

  /** The caller this token identifies. */
  public Caller caller() {
    return Caller.of(name, tenants, scopes);
  }

  /** The token file line: {@code name sha256:... tenants=acme scopes=ingest,read}. */
  public String line() {
    StringBuilder s = new StringBuilder();
    for (Scope scope : EnumSet.copyOf(scopes)) {
      s.append(s.length() == 0 ? "" : ",").append(scope.word());
    }
    return name + " " + hash + " tenants=" + tenants + " scopes=" + s;
  }
}
