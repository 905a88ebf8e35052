package dev.tierscope.api.web;

import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Scope;
import dev.tierscope.boot.security.TenantAuthorizationManager;
import dev.tierscope.boot.security.TierscopeSecurity;
import dev.tierscope.boot.security.WebSecurityConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Every endpoint under {@code /api/} (the ones of today and any added later, the Prometheus scrape
 * and the control stream included) needs a caller with the {@code read} scope, and every tenant a
 * request names must be one of the caller's; {@link Params} then answers with the caller's tenant.
 * Refusals are 401/403 (400 for a malformed tenant) problem+json. The OpenAPI document is open.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurityConfiguration {

  @Bean
  @Order(WebSecurityConfiguration.API_ORDER)
  SecurityFilterChain tierscopeApi(HttpSecurity http, AccessControl access) throws Exception {
    TierscopeSecurity.identified(http, access)
        .securityMatcher("/api/**")
        .authorizeHttpRequests(
            a -> a.anyRequest().access(new TenantAuthorizationManager(access, Scope.READ)));
    return http.build();
  }
}
