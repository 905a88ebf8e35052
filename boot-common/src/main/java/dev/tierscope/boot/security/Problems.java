package dev.tierscope.boot.security;

import dev.tierscope.auth.Access;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a refusal as RFC 9457 {@code application/problem+json}, like every other error of the API:
 * 401 (with a {@code WWW-Authenticate: Bearer} challenge), 403, or 400 naming the {@code tenant}
 * parameter.
 */
public final class Problems {

  /** The challenge of a 401 (RFC 6750). */
  public static final String BEARER_CHALLENGE = "Bearer realm=\"tierscope\"";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Problems() {}

  /** Writes the refusal as the response. */
  public static void write(
      HttpServletRequest request, HttpServletResponse response, Access.Refused refused)
      throws IOException {
    Map<String, Object> problem = new LinkedHashMap<>();
    switch (refused.reason()) {
      case UNAUTHENTICATED -> {
        problem.put("type", "https://tierscope.dev/problems/unauthenticated");
        problem.put("title", "Authentication required");
        response.setHeader("WWW-Authenticate", BEARER_CHALLENGE);
      }
      case FORBIDDEN -> {
        problem.put("type", "https://tierscope.dev/problems/forbidden");
        problem.put("title", "Forbidden");
      }
      case BAD_TENANT -> {
        problem.put("type", "https://tierscope.dev/problems/invalid-parameter");
        problem.put("title", "Invalid request parameter");
      }
    }
    problem.put("status", refused.reason().httpStatus());
    problem.put("detail", refused.message());
    problem.put("instance", request.getRequestURI());
    if (refused.reason() == Access.Reason.BAD_TENANT) {
      problem.put("parameter", "tenant");
    }
    response.setStatus(refused.reason().httpStatus());
    response.setContentType("application/problem+json");
    response.setHeader("Cache-Control", "no-store");
    response.getOutputStream().write(JSON.writeValueAsBytes(problem));
  }
}
