package dev.tierscope.core.store;

import java.util.Collection;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which tenants a read may see: all of them (no authentication, loopback), or a fixed set (the
 * caller's tenants once authentication exists).
 *
 * <p>Why a value of its own: readers that list tenants (the Prometheus exporter, the alert
 * evaluator) must filter in the store, not after reading everything, and the caller's identity is
 * decided at the edge, never by a query parameter.
 *
 * <pre>{@code
 * reader.totals(TenantScope.ALL);
 * reader.totals(TenantScope.only(List.of("acme")));
 * }</pre>
 *
 * @param all every tenant, {@code tenants} ignored
 * @param tenants the tenants visible when not {@code all}; empty means none
 */
public record TenantScope(boolean all, Set<String> tenants) {

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  /** Every tenant. */
  public static final TenantScope ALL = new TenantScope(true, Set.of());

  public TenantScope {
    tenants = all ? Set.of() : Set.copyOf(tenants);
    for (String t : tenants) {
      if (!TENANT.matcher(t).matches()) {
        throw new IllegalArgumentException(
            "tenant must match " + TENANT.pattern() + ", was '" + t + "'");
      }
    }
  }

  /** Only these tenants. */
  public static TenantScope only(Collection<String> tenants) {
    return new TenantScope(false, Set.copyOf(tenants));
  }

  /** True when {@code tenant} is visible. */
  public boolean includes(String tenant) {
    return all || tenants.contains(tenant);
  }
}
