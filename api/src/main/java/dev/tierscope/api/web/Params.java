package dev.tierscope.api.web;

import dev.tierscope.api.ApiProperties;
import dev.tierscope.auth.Access;
import dev.tierscope.auth.Tenants;
import dev.tierscope.boot.security.TenantAuthorizationManager;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanLimits;
import dev.tierscope.core.store.TenantScope;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Resolves the parameters most endpoints share: {@code class} and {@code tenant}.
 *
 * <p>The tenant is the caller's (docs/security.md): the API's filter chain has already checked that
 * every tenant the request names ({@code ?tenant=}, {@code X-Scope-OrgID}) is one of the caller's;
 * here a request that names none reads the caller's only tenant, and a caller of several tenants
 * must name one. Without authentication ({@code none}), a request that names none reads {@code
 * tierscope.api.default-tenant}.
 */
@Component
public class Params {

  private final TrafficClasses classes;
  private final ApiProperties properties;

  public Params(TrafficClasses classes, ApiProperties properties) {
    this.classes = classes;
    this.properties = properties;
  }

  /** The configured class of this name. */
  public TrafficClass trafficClass(String name) {
    TrafficClass cls = classes.get(name);
    if (cls == null) {
      throw new BadParameterException(
          "class",
          "unknown class '"
              + name
              + "'; known classes: "
              + classes.all().stream().map(TrafficClass::name).toList());
    }
    return cls;
  }

  /**
   * The tenant this request reads: the one it names ({@code tenant} or {@code X-Scope-OrgID}), the
   * caller's only tenant, or (without authentication) the default one. A tenant name follows core's
   * rule ({@link SpanLimits#TENANT_PATTERN}), the one the ingest holds every span to: whatever was
   * stored can be asked for, {@code __overflow__} (what the caps folded) included, by a caller of
   * that tenant.
   *
   * @param tenant the {@code tenant} parameter as bound, null when absent
   * @throws BadParameterException when the request names several tenants, or a caller of several
   *     tenants names none
   */
  public String tenant(String tenant) {
    Access.Granted granted = granted();
    if (granted == null) {
      // not authorized by the API's filter chain (not a web request): the parameter as sent
      return namedOrDefault(tenant);
    }
    if (granted.requested().size() > 1) {
      throw new BadParameterException(
          "tenant",
          "the request names several tenants ("
              + String.join(", ", granted.requested())
              + "); this endpoint reads one");
    }
    if (granted.tenant() != null) {
      return granted.tenant();
    }
    if (granted.caller().anonymous()) {
      return properties.defaultTenant();
    }
    throw new BadParameterException(
        "tenant",
        "token '"
            + granted.caller().name()
            + "' reads several tenants ("
            + granted.caller().tenants()
            + "); name one with ?tenant= or the X-Scope-OrgID header");
  }

  /**
   * The tenants a read over several tenants sees (the Prometheus scrape): the ones the request
   * names ({@code tenant}, repeatable, and {@code X-Scope-OrgID}), each checked by the API's filter
   * chain to be the caller's; when it names none, every tenant of the caller: all of them for a
   * token of any tenant ({@code *}) and without authentication, its own tenants otherwise.
   *
   * @param tenants the {@code tenant} parameters as bound, null when absent
   * @throws BadParameterException for a tenant that is not a tenant name
   */
  public TenantScope tenantScope(List<String> tenants) {
    Access.Granted granted = granted();
    if (granted == null) {
      // not authorized by the API's filter chain (not a web request): the parameters as sent
      List<String> named =
          tenants == null ? List.of() : tenants.stream().filter(t -> !t.isBlank()).toList();
      for (String t : named) {
        namedOrDefault(t);
      }
      return named.isEmpty() ? TenantScope.ALL : TenantScope.only(named);
    }
    if (!granted.requested().isEmpty()) {
      return TenantScope.only(granted.requested());
    }
    Tenants own = granted.caller().tenants();
    return own.any() ? TenantScope.ALL : TenantScope.only(own.names());
  }

  /** The authorization of the current request, if the API's filter chain granted one. */
  static Access.Granted granted() {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a) {
      return TenantAuthorizationManager.granted(a.getRequest());
    }
    return null;
  }

  private String namedOrDefault(String tenant) {
    if (tenant == null || tenant.isBlank()) {
      return properties.defaultTenant();
    }
    if (!SpanLimits.matchesTenantPattern(tenant)) {
      throw new BadParameterException(
          "tenant",
          "'tenant' must match "
              + SpanLimits.TENANT_PATTERN
              + ", was '"
              + SpanLimits.shown(tenant)
              + "'");
    }
    return tenant;
  }

  public TrafficClasses classes() {
    return classes;
  }
}
