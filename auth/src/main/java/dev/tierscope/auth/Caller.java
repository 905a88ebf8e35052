package dev.tierscope.auth;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who made a request, as the configured {@link AuthMode} identified it: a token's name, its tenants
 * and scopes; the proxy-named tenant; or the anonymous caller of the {@code none} mode.
 *
 * @param name the token's name, {@code trusted-proxy} or {@code anonymous}; for logs and messages
 *     (never the secret)
 * @param tenants the tenants it acts for
 * @param scopes what it may do
 * @param anonymous true in the {@code none} mode: nobody was identified, every request names its
 *     tenant (or the default one) freely
 */
public record Caller(String name, Tenants tenants, Set<Scope> scopes, boolean anonymous) {

  /** The caller of the {@code none} mode: any tenant, every scope. */
  public static final Caller ANONYMOUS =
      new Caller("anonymous", Tenants.ANY, EnumSet.allOf(Scope.class), true);

  public Caller {
    if (name == null || name.isBlank() || tenants == null || scopes == null) {
      throw new IllegalArgumentException("name, tenants and scopes must be set");
    }
    scopes = Set.copyOf(scopes);
  }

  /** An identified caller. */
  public static Caller of(String name, Tenants tenants, Set<Scope> scopes) {
    return new Caller(name, tenants, scopes, false);
  }

  /** True when this caller has the scope. */
  public boolean has(Scope scope) {
    return scopes.contains(scope);
  }
}
