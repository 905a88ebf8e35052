package dev.tierscope.boot.security;

import dev.tierscope.auth.Access;
import dev.tierscope.auth.AccessControl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * What every Tierscope filter chain shares: stateless (no session, no cookie, so no CSRF), the
 * caller identified by {@link CallerAuthenticationFilter}, refusals as problem+json.
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain api(HttpSecurity http, AccessControl access) {
 *   TierscopeSecurity.identified(http, access)
 *       .securityMatcher("/api/**")
 *       .authorizeHttpRequests(a -> a.anyRequest().access(new TenantAuthorizationManager(access, Scope.READ)));
 *   return http.build();
 * }
 * }</pre>
 */
public final class TierscopeSecurity {

  private TierscopeSecurity() {}

  /** Stateless, refusals as problem+json, nothing identified: for open paths. */
  public static HttpSecurity stateless(HttpSecurity http) {
    return http.csrf(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .anonymous(AbstractHttpConfigurer::disable)
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(entryPoint())
                    .accessDeniedHandler(TenantAuthorizationManager.deniedHandler()));
  }

  /** {@link #stateless} with every request's caller identified by {@code access} first. */
  public static HttpSecurity identified(HttpSecurity http, AccessControl access) {
    return stateless(http)
        .addFilterBefore(new CallerAuthenticationFilter(access), AuthorizationFilter.class);
  }

  /** A 401 problem for a request that reached authorization without a caller. */
  static AuthenticationEntryPoint entryPoint() {
    return (request, response, e) ->
        Problems.write(
            request,
            response,
            new Access.Refused(Access.Reason.UNAUTHENTICATED, "authentication required"));
  }
}
