package dev.tierscope.boot.security;

import dev.tierscope.auth.Access;
import dev.tierscope.auth.AccessControl;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Identifies the caller of every request of its filter chain through {@link AccessControl} (a
 * bearer token, a trusted proxy's header, or the anonymous caller of the {@code none} mode) and
 * sets it as the request's {@link CallerAuthentication}; a request it cannot identify is answered
 * 401 problem+json here, before any endpoint runs.
 *
 * <p>The context is also kept as a request attribute, so that the asynchronous dispatches of a
 * server-sent event stream run as the same caller.
 */
final class CallerAuthenticationFilter extends OncePerRequestFilter {

  private final AccessControl access;
  private final SecurityContextHolderStrategy contexts =
      SecurityContextHolder.getContextHolderStrategy();
  private final SecurityContextRepository repository =
      new RequestAttributeSecurityContextRepository();

  CallerAuthenticationFilter(AccessControl access) {
    this.access = access;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Access identity = access.identify(ServletCredentials.of(request));
    if (identity instanceof Access.Refused refused) {
      Problems.write(request, response, refused);
      return;
    }
    SecurityContext context = contexts.createEmptyContext();
    context.setAuthentication(new CallerAuthentication(((Access.Granted) identity).caller()));
    contexts.setContext(context);
    repository.saveContext(context, request, response);
    chain.doFilter(request, response);
  }
}
