package dev.tierscope.boot.security;

import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Scope;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The filter chains every web deployable shares: health open to everyone (load balancers, compose
 * health checks), every other management endpoint (metrics, Prometheus, info) for callers with the
 * {@code admin} scope, and everything else left to the application (the ingest's OTLP handler
 * authenticates itself, the api adds its {@code /api/**} chain at {@link #API_ORDER}).
 */
@AutoConfiguration(after = AuthConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableWebSecurity
public class WebSecurityConfiguration {

  /** The order of an application's own chain: after health and management, before the rest. */
  public static final int API_ORDER = 10;

  @Bean
  @Order(1)
  SecurityFilterChain tierscopeHealth(HttpSecurity http) throws Exception {
    TierscopeSecurity.stateless(http)
        .securityMatcher(EndpointRequest.to("health"))
        .authorizeHttpRequests(a -> a.anyRequest().permitAll());
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain tierscopeManagement(HttpSecurity http, AccessControl access)
      throws Exception {
    TierscopeSecurity.identified(http, access)
        .securityMatcher(EndpointRequest.toAnyEndpoint())
        .authorizeHttpRequests(
            a -> a.anyRequest().access(new TenantAuthorizationManager(access, Scope.ADMIN)));
    return http.build();
  }

  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  SecurityFilterChain tierscopeRest(HttpSecurity http) throws Exception {
    TierscopeSecurity.stateless(http).authorizeHttpRequests(a -> a.anyRequest().permitAll());
    return http.build();
  }
}
