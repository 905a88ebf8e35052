package dev.tierscope.boot.security;

import dev.tierscope.auth.AuthMode;
import dev.tierscope.auth.Scope;
import dev.tierscope.auth.TrustedProxies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.auth.*}: how every deployable identifies its callers (the same settings for the
 * ingest, the aggregator's management port and the api); invalid values stop start-up with a
 * message naming the property.
 *
 * @param mode {@code none} (only while every listener is on loopback), {@code token} or {@code
 *     trusted-header}
 * @param tokenFile the token file, read by every deployable; required with {@code token}
 * @param reloadInterval how often the token file is read for changes; a change applies once two
 *     reads in a row see it
 * @param trustedProxies addresses and CIDR ranges of the proxies whose {@code X-Scope-OrgID} is
 *     believed; required with {@code trusted-header}
 * @param trustedHeaderScopes what a request through a trusted proxy may do
 */
@ConfigurationProperties("tierscope.auth")
public record AuthProperties(
    @DefaultValue("none") AuthMode mode,
    Path tokenFile,
    @DefaultValue("1s") Duration reloadInterval,
    @DefaultValue({}) List<String> trustedProxies,
    @DefaultValue({"ingest", "read"}) Set<Scope> trustedHeaderScopes) {

  public AuthProperties {
    trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalStateException(
          "tierscope.auth.reload-interval must be positive, was " + reloadInterval);
    }
    if (mode == AuthMode.TOKEN && tokenFile == null) {
      throw new IllegalStateException(
          "tierscope.auth.mode=token needs tierscope.auth.token-file: the file of hashed tokens"
              + " ('token create' prints a token and its line)");
    }
    if (mode == AuthMode.TRUSTED_HEADER) {
      if (trustedProxies.isEmpty()) {
        throw new IllegalStateException(
            "tierscope.auth.mode=trusted-header needs tierscope.auth.trusted-proxies: the addresses"
                + " of the proxies that set X-Scope-OrgID");
      }
      try {
        TrustedProxies.parse(trustedProxies);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("tierscope.auth.trusted-proxies: " + e.getMessage());
      }
      if (trustedHeaderScopes == null || trustedHeaderScopes.isEmpty()) {
        throw new IllegalStateException("tierscope.auth.trusted-header-scopes must name a scope");
      }
    }
  }
}
