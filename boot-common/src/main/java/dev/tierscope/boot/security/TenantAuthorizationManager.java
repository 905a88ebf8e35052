package dev.tierscope.boot.security;

import dev.tierscope.auth.Access;
import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Scope;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Supplier;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Authorizes a request of an identified caller: it must have the scope, and every tenant the
 * request names ({@code X-Scope-OrgID}, {@code ?tenant=}) must be one of the caller's. The grant
 * (with the one tenant the request is about, if any) is kept as the request attribute {@link
 * #GRANTED} for the endpoints; a refusal is a {@link RefusedException} that {@link
 * #deniedHandler()} answers 403 (or 400 for a malformed tenant) problem+json.
 */
public final class TenantAuthorizationManager
    implements AuthorizationManager<RequestAuthorizationContext> {

  /** Request attribute holding the request's {@link Access.Granted}. */
  public static final String GRANTED = TenantAuthorizationManager.class.getName() + ".granted";

  private final AccessControl access;
  private final Scope scope;

  public TenantAuthorizationManager(AccessControl access, Scope scope) {
    this.access = access;
    this.scope = scope;
  }

  @Override
  public AuthorizationResult authorize(
      Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
    if (!(authentication.get() instanceof CallerAuthentication caller)) {
      return new AuthorizationDecision(false);
    }
    HttpServletRequest request = context.getRequest();
    Access decision = access.authorize(caller.caller(), ServletCredentials.of(request), scope);
    if (decision instanceof Access.Refused refused) {
      throw new RefusedException(refused);
    }
    request.setAttribute(GRANTED, decision);
    return new AuthorizationDecision(true);
  }

  /** The grant of the current request, as authorized; null when the request was not authorized. */
  public static Access.Granted granted(HttpServletRequest request) {
    return request.getAttribute(GRANTED) instanceof Access.Granted g ? g : null;
  }

  /** Answers a refusal of this manager (or a plain access denial) as problem+json. */
  public static org.springframework.security.web.access.AccessDeniedHandler deniedHandler() {
    return (request, response, denied) ->
        Problems.write(
            request,
            response,
            denied instanceof RefusedException r
                ? r.refused
                : new Access.Refused(
                    Access.Reason.FORBIDDEN, "this caller may not use " + request.getRequestURI()));
  }

  /** A refusal with the reason to answer. */
  static final class RefusedException extends AccessDeniedException {
    final transient Access.Refused refused;

    RefusedException(Access.Refused refused) {
      super(refused.message());
      this.refused = refused;
    }
  }
}
