package dev.tierscope.auth;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request presents, read by the transport that carried it (OTLP/HTTP, OTLP/gRPC, the API)
 * and judged by {@link AccessControl}.
 *
 * @param authorization the {@code Authorization} header (gRPC metadata {@code authorization}); null
 *     when absent
 * @param scopeOrgId the {@code X-Scope-OrgID} header (gRPC metadata {@code x-scope-orgid}); null
 *     when absent
 * @param tenantParameters the values of the {@code tenant} query parameter, in order; empty when
 *     absent (gRPC has none)
 * @param remoteAddress the peer's address as the transport saw it (the proxy's, behind a proxy);
 *     null when unknown
 */
public record Credentials(
    String authorization,
    String scopeOrgId,
    List<String> tenantParameters,
    InetAddress remoteAddress) {

  /** The header naming the tenant of a request (the Tempo, Mimir and Loki convention). */
  public static final String SCOPE_ORG_ID_HEADER = "X-Scope-OrgID";

  /** The query parameter naming the tenant of a request. */
  public static final String TENANT_PARAMETER = "tenant";

  public Credentials {
    tenantParameters = tenantParameters == null ? List.of() : List.copyOf(tenantParameters);
  }

  /**
   * The decoded values of the {@code tenant} parameter of a raw query string ({@code
   * a=1&tenant=x}), in order; a malformed escape is kept as sent (the tenant check then refuses
   * it). Read from the query string only, never from a form body.
   */
  public static List<String> tenantParameters(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return List.of();
    }
    List<String> values = new ArrayList<>(1);
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (decode(eq < 0 ? pair : pair.substring(0, eq)).equals(TENANT_PARAMETER)) {
        values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return values;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
