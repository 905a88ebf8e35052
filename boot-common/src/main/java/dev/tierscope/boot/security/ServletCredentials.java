package dev.tierscope.boot.security;

import dev.tierscope.auth.Credentials;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reads {@link Credentials} off a servlet request; the {@code tenant} from the query string only.
 */
public final class ServletCredentials {

  private ServletCredentials() {}

  /** The request's Authorization and X-Scope-OrgID headers, tenant parameters and peer address. */
  public static Credentials of(HttpServletRequest request) {
    return new Credentials(
        request.getHeader("Authorization"),
        request.getHeader(Credentials.SCOPE_ORG_ID_HEADER),
        Credentials.tenantParameters(request.getQueryString()),
        address(request.getRemoteAddr()));
  }

  private static InetAddress address(String literal) {
    if (literal == null || literal.isEmpty()) {
      return null;
    }
    try {
      // The container reports a literal IP: no name lookup happens here.
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
