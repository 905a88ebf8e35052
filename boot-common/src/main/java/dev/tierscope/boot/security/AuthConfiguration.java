package dev.tierscope.boot.security;

import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Listener;
import dev.tierscope.auth.TokenFile;
import dev.tierscope.auth.TokenSource;
import dev.tierscope.auth.Tokens;
import dev.tierscope.auth.TrustedProxies;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.web.context.WebApplicationContext;

/**
 * {@code tierscope.auth.*} for every deployable: the {@link AccessControl} its transports ask (the
 * ingest's OTLP receivers, the api's and the management endpoints' filter chains), with the token
 * file reloaded in the background; the {@code none} mode only while every listener is on loopback.
 *
 * <p>The listeners checked are the web server ({@code server.address}), the management server
 * ({@code management.server.address}) when it has a port of its own, and every {@link Listener}
 * bean a deployable declares (the ingest's OTLP/gRPC port).
 */
@AutoConfiguration
@EnableConfigurationProperties(AuthProperties.class)
public class AuthConfiguration {

  private static final Logger log = LoggerFactory.getLogger(AuthConfiguration.class);

  /**
   * The token file in force (reloaded until the context closes); no tokens unless {@code token}.
   */
  @Bean
  TokenSource tierscopeTokens(AuthProperties p) {
    if (p.mode() != dev.tierscope.auth.AuthMode.TOKEN) {
      return () -> Tokens.NONE;
    }
    TokenFile file;
    try {
      file = TokenFile.load(p.tokenFile());
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "tierscope.auth.token-file " + p.tokenFile() + " is unusable:\n" + e.getMessage(), e);
    }
    file.watch(p.reloadInterval());
    return file;
  }

  @Bean
  AccessControl accessControl(
      AuthProperties p,
      TokenSource tierscopeTokens,
      ObjectProvider<Listener> listeners,
      Environment environment,
      ApplicationContext context) {
    AccessControl access =
        switch (p.mode()) {
          case NONE -> {
            Listener.requireLoopback(listeners(listeners, environment, context));
            yield AccessControl.none();
          }
          case TOKEN -> AccessControl.tokens(tierscopeTokens);
          case TRUSTED_HEADER ->
              AccessControl.trustedHeader(
                  TrustedProxies.parse(p.trustedProxies()), p.trustedHeaderScopes());
        };
    log.info(
        "authentication {}{}",
        p.mode().word(),
        switch (p.mode()) {
          case NONE -> " (every listener on loopback)";
          case TOKEN -> ", token file " + p.tokenFile();
          case TRUSTED_HEADER -> ", X-Scope-OrgID from " + p.trustedProxies();
        });
    return access;
  }

  /**
   * Keeps Spring Security from creating its default user with a generated password: callers are
   * identified by {@link CallerAuthenticationFilter}, never by a login.
   */
  @Bean
  AuthenticationProvider tierscopeNoLogin() {
    return new AuthenticationProvider() {
      @Override
      public org.springframework.security.core.Authentication authenticate(
          org.springframework.security.core.Authentication authentication) {
        throw new BadCredentialsException("Tierscope has no login; send a bearer token");
      }

      @Override
      public boolean supports(Class<?> authentication) {
        return false;
      }
    };
  }

  /** The listeners of this application that the {@code none} mode requires on loopback. */
  static List<Listener> listeners(
      ObjectProvider<Listener> declared, Environment environment, ApplicationContext context) {
    List<Listener> all = new ArrayList<>();
    if (context instanceof WebApplicationContext) {
      all.add(
          new Listener("web server", "server.address", environment.getProperty("server.address")));
      String managementPort = environment.getProperty("management.server.port");
      String serverPort = environment.getProperty("server.port", "8080");
      if (managementPort != null
          && !managementPort.equals("-1")
          && !Objects.equals(managementPort, serverPort)) {
        all.add(
            new Listener(
                "management server",
                "management.server.address",
                // unset means every interface, whatever server.address says
                environment.getProperty("management.server.address")));
      }
    }
    declared.orderedStream().forEach(all::add);
    return all;
  }
}
