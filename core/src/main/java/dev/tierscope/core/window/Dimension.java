package dev.tierscope.core.window;

import dev.tierscope.core.assembly.RequestSummary;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A dimension the windows are broken down by: where a request came from (client path, connection
 * type, protocol version), where it entered (region or point of presence) and what served it
 * (model, backend service, retrieval backend). The one place that says which span attribute each
 * dimension comes from and which values it can take.
 *
 * <p>Why bounded: every value becomes a stored row per window. The edge dimensions have closed sets
 * (a value outside the set counts as {@value #OTHER}); region, model and service are free text and
 * are capped per window and tenant ({@code CappedDimension}, the excess under {@code
 * __overflow__}). A request that did not report a dimension counts under {@value #UNKNOWN}.
 *
 * <pre>{@code
 * Dimension d = Dimension.fromId("model");          // null for an unknown name
 * String value = d.valueOf(summary);                // "gpt-4o", "unknown", ...
 * }</pre>
 */
public enum Dimension {
  /** {@code tierscope.client.path} of the client span. */
  CLIENT_PATH("clientPath", List.of("direct", "vpn", "sase", "mobile")),
  /** {@code network.connection.type} of the client span (OpenTelemetry's values). */
  CONNECTION_TYPE("connectionType", List.of("wifi", "wired", "cell", "unavailable", "unknown")),
  /** {@code network.protocol.version} of the client span: HTTP/1.0, 1.1, 2 or 3. */
  PROTOCOL_VERSION("protocolVersion", List.of("1.0", "1.1", "2", "3")),
  /** {@code cloud.region} of the gateway span: the region or point of presence it entered. */
  REGION("region", null),
  /** {@code gen_ai.request.model} of the model span (else of the gateway, else the client span). */
  MODEL("model", null),
  /** {@code service.name} of the model span: the backend that served the model call. */
  SERVICE("service", null),
  /**
   * {@code service.name} of the retrieval span: the retriever that served the request's retrieval
   * (of several, the slowest); {@value #UNKNOWN} for a request without one.
   */
  RETRIEVAL_SERVICE("retrievalService", null);

  /** The value of a request that did not report the dimension. */
  public static final String UNKNOWN = "unknown";

  /** The value of a request that reported a value outside a closed set. */
  public static final String OTHER = "other";

  private final String id;
  private final List<String> closedSet;

  Dimension(String id, List<String> closedSet) {
    this.id = id;
    this.closedSet = closedSet;
  }

  /** The name in the API ({@code breakdown=}) and in the stored rows. */
  public String id() {
    return id;
  }

  /** True when the values form a closed set; otherwise they are capped per window. */
  public boolean closed() {
    return closedSet != null;
  }

  /**
   * Every value a closed dimension can take (its set, {@value #OTHER} and {@value #UNKNOWN}); empty
   * for a capped one.
   */
  public Set<String> closedValues() {
    if (closedSet == null) {
      return Set.of();
    }
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(closedSet);
    all.add(OTHER);
    all.add(UNKNOWN);
    return java.util.Collections.unmodifiableSet(all);
  }

  /** The dimension with this API name, or null. */
  public static Dimension fromId(String id) {
    for (Dimension d : values()) {
      if (d.id.equals(id)) {
        return d;
      }
    }
    return null;
  }

  /** The API names of all dimensions, in order. */
  public static List<String> ids() {
    return java.util.Arrays.stream(values()).map(Dimension::id).toList();
  }

  /**
   * The request's value of this dimension before any cap: a closed set's member, {@value #OTHER} or
   * {@value #UNKNOWN}; for a capped dimension the reported text or {@value #UNKNOWN}.
   */
  public String valueOf(RequestSummary r) {
    String raw =
        switch (this) {
          case CLIENT_PATH -> r.clientPath();
          case CONNECTION_TYPE -> r.connectionType();
          case PROTOCOL_VERSION -> r.protocolVersion();
          case REGION -> r.region();
          case MODEL -> r.model();
          case SERVICE -> r.service();
          case RETRIEVAL_SERVICE -> r.retrievalService();
        };
    return normalize(raw);
  }

  /** A reported value as this dimension counts it (see {@link #valueOf}). */
  public String normalize(String raw) {
    if (raw == null || raw.isEmpty()) {
      return UNKNOWN;
    }
    if (closedSet == null) {
      return raw;
    }
    String v = raw.toLowerCase(Locale.ROOT);
    if (this == PROTOCOL_VERSION) {
      // "2.0" and "3.0" are how some clients spell HTTP/2 and HTTP/3.
      if (v.equals("2.0")) {
        v = "2";
      } else if (v.equals("3.0")) {
        v = "3";
      }
    }
    for (String member : closedSet) {
      if (member.equals(v)) {
        return member;
      }
    }
    return OTHER;
  }
}
