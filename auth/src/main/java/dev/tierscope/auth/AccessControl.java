package dev.tierscope.auth;

import dev.tierscope.core.span.SpanLimits;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides, for one request, who the caller is, whether it has the scope the request needs, and
 * which tenant the request is about: the one place that knows the three modes of {@link AuthMode},
 * used alike by OTLP/HTTP, OTLP/gRPC and the API.
 *
 * <p>Where the tenant comes from (docs/security.md): with {@code token}, from the token (its only
 * tenant, or the one of its tenants the request names with {@code X-Scope-OrgID} or {@code
 * ?tenant=}); with {@code trusted-header}, from the proxy's {@code X-Scope-OrgID}; with {@code
 * none}, from whatever the request names. A tenant the caller does not have is refused, never
 * folded into another.
 *
 * <pre>{@code
 * AccessControl access = AccessControl.tokens(TokenFile.load(path));
 * switch (access.check(credentials, Scope.READ)) {
 *   case Access.Granted g -> serve(g.tenant());
 *   case Access.Refused r -> answer(r.reason().httpStatus(), r.message());
 * }
 * }</pre>
 */
public final class AccessControl {

  /** The name of the caller that a trusted proxy vouches for. */
  public static final String TRUSTED_PROXY = "trusted-proxy";

  private static final String BEARER = "bearer ";

  private final AuthMode mode;
  private final TokenSource tokens;
  private final TrustedProxies proxies;
  private final Set<Scope> proxyScopes;

  private AccessControl(
      AuthMode mode, TokenSource tokens, TrustedProxies proxies, Set<Scope> proxyScopes) {
    this.mode = mode;
    this.tokens = tokens;
    this.proxies = proxies;
    this.proxyScopes = proxyScopes;
  }

  /** The {@code none} mode: everyone is {@link Caller#ANONYMOUS}. */
  public static AccessControl none() {
    return new AccessControl(AuthMode.NONE, null, null, Set.of());
  }

  /** The {@code token} mode over the tokens of {@code source} (looked up on every request). */
  public static AccessControl tokens(TokenSource source) {
    if (source == null) {
      throw new IllegalArgumentException("the token mode needs a token source");
    }
    return new AccessControl(AuthMode.TOKEN, source, null, Set.of());
  }

  /**
   * The {@code trusted-header} mode: requests from {@code proxies} act for the tenant their {@code
   * X-Scope-OrgID} names, with {@code scopes}.
   */
  public static AccessControl trustedHeader(TrustedProxies proxies, Set<Scope> scopes) {
    if (proxies == null || proxies.isEmpty()) {
      throw new IllegalArgumentException(
          "the trusted-header mode needs at least one proxy address");
    }
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("the trusted-header mode needs at least one scope");
    }
    return new AccessControl(
        AuthMode.TRUSTED_HEADER, null, proxies, Set.copyOf(EnumSet.copyOf(scopes)));
  }

  public AuthMode mode() {
    return mode;
  }

  /**
   * Who the caller is, without looking at scopes or the tenant it names.
   *
   * @return {@link Access.Granted} with nothing requested, or {@link Access.Refused} with {@link
   *     Access.Reason#UNAUTHENTICATED} (or {@link Access.Reason#BAD_TENANT} for a proxy's invalid
   *     tenant)
   */
  public Access identify(Credentials credentials) {
    return switch (mode) {
      case NONE -> new Access.Granted(Caller.ANONYMOUS, List.of(), null);
      case TOKEN -> identifyToken(credentials.authorization());
      case TRUSTED_HEADER -> identifyProxy(credentials);
    };
  }

  /**
   * Identifies the caller, checks that it has {@code scope} and that every tenant the request names
   * is one of its tenants.
   */
  public Access check(Credentials credentials, Scope scope) {
    Access identity = identify(credentials);
    if (identity instanceof Access.Refused refused) {
      return refused;
    }
    return authorize(((Access.Granted) identity).caller(), credentials, scope);
  }

  /**
   * Like {@link #check}, for a request that must be about one tenant when the caller is identified
   * (an OTLP export: its spans are stored under it). The anonymous caller of {@code none} may name
   * none ({@link Access.Granted#tenant()} null): its spans keep the tenant they name themselves.
   */
  public Access checkOneTenant(Credentials credentials, Scope scope) {
    Access access = check(credentials, scope);
    if (!(access instanceof Access.Granted g)) {
      return access;
    }
    if (g.requested().size() > 1) {
      return new Access.Refused(
          Access.Reason.BAD_TENANT,
          "the request names several tenants ("
              + String.join(", ", g.requested())
              + "); name one, in X-Scope-OrgID or ?tenant=");
    }
    if (g.tenant() == null && !g.caller().anonymous()) {
      return new Access.Refused(
          Access.Reason.BAD_TENANT,
          describe(g.caller())
              + " acts for several tenants ("
              + g.caller().tenants()
              + "); name one with the X-Scope-OrgID header or ?tenant=");
    }
    return g;
  }

  /** Checks the scope and the named tenants of an identified caller. */
  public Access authorize(Caller caller, Credentials credentials, Scope scope) {
    if (!caller.has(scope)) {
      return new Access.Refused(
          Access.Reason.FORBIDDEN,
          describe(caller)
              + " lacks the scope '"
              + scope.word()
              + "' (it has: "
              + words(caller.scopes())
              + ")");
    }
    List<String> requested = new ArrayList<>(2);
    String header = credentials.scopeOrgId();
    if (header != null && !header.isBlank()) {
      String t = header.strip();
      if (!SpanLimits.matchesTenantPattern(t)) {
        return badTenant(Credentials.SCOPE_ORG_ID_HEADER, t);
      }
      requested.add(t);
    }
    for (String p : credentials.tenantParameters()) {
      if (p == null || p.isBlank()) {
        continue;
      }
      if (!SpanLimits.matchesTenantPattern(p)) {
        return badTenant("tenant", p);
      }
      if (!requested.contains(p)) {
        requested.add(p);
      }
    }
    for (String t : requested) {
      if (!caller.tenants().includes(t)) {
        return new Access.Refused(
            Access.Reason.FORBIDDEN,
            describe(caller)
                + " may not act for tenant '"
                + t
                + "' (its tenants: "
                + caller.tenants()
                + ")");
      }
    }
    String tenant =
        requested.size() == 1
            ? requested.get(0)
            : requested.isEmpty() ? caller.tenants().single().orElse(null) : null;
    return new Access.Granted(caller, requested, tenant);
  }

  private Access identifyToken(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return unauthenticated(
          "no credentials: send the header 'Authorization: Bearer <token>' (for OpenTelemetry"
              + " exporters: OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<token>)");
    }
    String value = authorization.strip();
    if (value.length() <= BEARER.length()
        || !value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return unauthenticated("the Authorization header must be 'Bearer <token>'" + schemeOf(value));
    }
    String secret = value.substring(BEARER.length()).strip();
    return tokens
        .current()
        .find(secret)
        .<Access>map(e -> new Access.Granted(e.caller(), List.of(), null))
        .orElseGet(() -> unauthenticated("unknown or revoked token"));
  }

  private Access identifyProxy(Credentials credentials) {
    if (!proxies.contains(credentials.remoteAddress())) {
      return unauthenticated(
          "requests must come through a trusted proxy that sets X-Scope-OrgID; "
              + (credentials.remoteAddress() == null
                  ? "the peer address is unknown"
                  : credentials.remoteAddress().getHostAddress() + " is not one")
              + " (tierscope.auth.trusted-proxies)");
    }
    String header = credentials.scopeOrgId();
    if (header == null || header.isBlank()) {
      return unauthenticated("the trusted proxy sent no X-Scope-OrgID header naming the tenant");
    }
    String tenant = header.strip();
    if (!SpanLimits.matchesTenantPattern(tenant)) {
      return badTenant(Credentials.SCOPE_ORG_ID_HEADER, tenant);
    }
    return new Access.Granted(
        Caller.of(TRUSTED_PROXY, Tenants.of(tenant), proxyScopes), List.of(), null);
  }

  private static String describe(Caller caller) {
    return caller.name().equals(TRUSTED_PROXY)
        ? "the trusted proxy's request"
        : "token '" + caller.name() + "'";
  }

  private static String words(Set<Scope> scopes) {
    StringBuilder s = new StringBuilder();
    for (Scope scope : EnumSet.copyOf(scopes)) {
      s.append(s.length() == 0 ? "" : ", ").append(scope.word());
    }
    return s.toString();
  }

  /** Names the scheme sent, when there is one; never echoes what could be a secret. */
  private static String schemeOf(String value) {
    int space = value.indexOf(' ');
    if (space <= 0
        || space > 16
        || !value.substring(0, space).chars().allMatch(Character::isLetter)) {
      return "";
    }
    return " (the scheme '" + value.substring(0, space) + "' is not accepted)";
  }

  private static Access.Refused unauthenticated(String message) {
    return new Access.Refused(Access.Reason.UNAUTHENTICATED, message);
  }

  private static Access.Refused badTenant(String where, String value) {
    String shown = SpanLimits.shown(value);
    return new Access.Refused(
        Access.Reason.BAD_TENANT,
        "'" + where + "' must match " + SpanLimits.TENANT_PATTERN + ", was '" + shown + "'");
  }
}
