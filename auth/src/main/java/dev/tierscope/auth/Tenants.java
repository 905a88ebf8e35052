package dev.tierscope.auth;

import dev.tierscope.core.span.SpanLimits;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tenants a caller acts for: a fixed set, or any tenant ({@code *} in the token file, and the
 * {@code none} mode).
 *
 * <p>Tenant names follow core's rule ({@link SpanLimits#TENANT_PATTERN}), the one every span and
 * every API read is held to: what a token may name is what the ingest stores and the API reads.
 *
 * @param any every tenant; {@code names} is then empty
 * @param names the tenants when not {@code any}, sorted
 */
public record Tenants(boolean any, Set<String> names) {

  /** The token file's word for any tenant. */
  public static final String ANY_WORD = "*";

  /** Every tenant. */
  public static final Tenants ANY = new Tenants(true, Set.of());

  public Tenants {
    if (any && !names.isEmpty()) {
      throw new IllegalArgumentException("a tenant set of any tenant names none");
    }
    if (!any && names.isEmpty()) {
      throw new IllegalArgumentException("a tenant set names at least one tenant");
    }
    for (String n : names) {
      check(n);
    }
    names = java.util.Collections.unmodifiableSet(new TreeSet<>(names));
  }

  /** Exactly these tenants. */
  public static Tenants of(Collection<String> names) {
    return new Tenants(false, Set.copyOf(names));
  }

  /** Exactly these tenants. */
  public static Tenants of(String... names) {
    return of(List.of(names));
  }

  /**
   * A comma-separated list of the token file ({@code acme,globex}), or {@code *}.
   *
   * @throws IllegalArgumentException for an empty list or an invalid name
   */
  public static Tenants parse(String list) {
    if (list.equals(ANY_WORD)) {
      return ANY;
    }
    Set<String> names = new TreeSet<>();
    for (String n : list.split(",", -1)) {
      if (n.equals(ANY_WORD)) {
        throw new IllegalArgumentException("'*' stands alone: it means every tenant");
      }
      names.add(check(n));
    }
    return new Tenants(false, names);
  }

  /**
   * Returns {@code name} when it is a valid tenant name.
   *
   * @throws IllegalArgumentException naming the rule
   */
  public static String check(String name) {
    if (!SpanLimits.matchesTenantPattern(name)) {
      throw new IllegalArgumentException(
          "tenant must match " + SpanLimits.TENANT_PATTERN + ", was '" + name + "'");
    }
    return name;
  }

  /** True when this set holds {@code tenant}. */
  public boolean includes(String tenant) {
    return any || names.contains(tenant);
  }

  /** The one tenant of a set of one; empty for several or any. */
  public Optional<String> single() {
    return !any && names.size() == 1 ? Optional.of(names.iterator().next()) : Optional.empty();
  }

  /** The token file's spelling: {@code acme,globex} or {@code *}. */
  @Override
  public String toString() {
    return any ? ANY_WORD : String.join(",", names);
  }
}
