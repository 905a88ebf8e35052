package dev.tierscope.boot.security;

import dev.tierscope.auth.Caller;
import dev.tierscope.auth.Scope;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A caller {@link dev.tierscope.auth.AccessControl} identified, as Spring Security's {@code
 * Authentication}: its scopes are the authorities {@code SCOPE_ingest}, {@code SCOPE_read}, {@code
 * SCOPE_admin}. It holds no secret.
 */
public final class CallerAuthentication extends AbstractAuthenticationToken {

  private final Caller caller;

  CallerAuthentication(Caller caller) {
    super(caller.scopes().stream().map(s -> new SimpleGrantedAuthority(authority(s))).toList());
    this.caller = caller;
    setAuthenticated(true);
  }

  /** The authority of a scope: {@code SCOPE_read}. */
  public static String authority(Scope scope) {
    return "SCOPE_" + scope.word();
  }

  public Caller caller() {
    return caller;
  }

  @Override
  public Object getPrincipal() {
    return caller;
  }

  @Override
  public Object getCredentials() {
    return null;
  }

  @Override
  public String getName() {
    return caller.name();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CallerAuthentication other && other.caller.equals(caller);
  }

  @Override
  public int hashCode() {
    return caller.hashCode();
  }

  static List<String> authorities(Caller caller) {
    return caller.scopes().stream().map(CallerAuthentication::authority).toList();
  }
}
