package dev.tierscope.core.span;

/**
 * The rules for every value a {@link Span} carries, in one place: what a tenant may look like, how
 * long each string may be, which characters are replaced, and where numbers stop being believable.
 * {@link Span.Builder} applies them whoever builds the span (the ingest from OTLP, the aggregator
 * from Kafka, which others can write), so a value that breaks them never reaches a message, a
 * snapshot, a database row or a label.
 *
 * <p>Two kinds of rule:
 *
 * <ul>
 *   <li><b>Identity is checked, never changed.</b> A tenant must match {@link #TENANT_PATTERN}
 *       (what the API reads, so that whatever the ingest stores can be asked for); a span whose
 *       tenant does not is rejected ({@link SpanDefect#INVALID_TENANT}). Changing it would file the
 *       span under somebody else's name.
 *   <li><b>Free text is normalised.</b> Service, operation, workflow, tool, model and the edge
 *       values only label a request: control characters (U+0000-U+001F, U+007F-U+009F) and unpaired
 *       surrogates become U+FFFD, then the value is cut to its limit without splitting a surrogate
 *       pair ({@link #clean}). The builder remembers which fields it changed ({@link
 *       Span.Builder#normalizedFields()}) so that the ingest can count them and tell the client.
 * </ul>
 *
 * <p>Numbers that no real span reports (a token count over {@link #MAX_TOKENS}, a queue time or a
 * first token more than {@link #MAX_DURATION_MICROS} after the start) count as absent: they would
 * otherwise overflow the sums the windows keep.
 */
public final class SpanLimits {

  private SpanLimits() {}

  /** Longest tenant, in chars. */
  public static final int MAX_TENANT_CHARS = 128;

  /**
   * What a tenant may look like: 1 to {@value #MAX_TENANT_CHARS} ASCII letters, digits and {@code _
   * . : -}. The API reads exactly these, and the store keeps them as row keys.
   */
  public static final String TENANT_PATTERN = "[A-Za-z0-9_.:-]{1,128}";

  /**
   * The value a capped dimension folds its excess into ({@code __overflow__}); reserved, so a
   * client cannot name a tenant so.
   */
  public static final String OVERFLOW = "__overflow__";

  /** Longest {@code service.name} kept, in chars. */
  public static final int MAX_SERVICE_CHARS = 128;

  /** Longest {@code gen_ai.operation.name} kept, in chars. */
  public static final int MAX_OPERATION_CHARS = 64;

  /** Longest workflow name kept, in chars. */
  public static final int MAX_WORKFLOW_CHARS = 64;

  /** Longest tool name kept, in chars. */
  public static final int MAX_TOOL_NAME_CHARS = 64;

  /** Longest client path, protocol version and connection type kept, in chars. */
  public static final int MAX_EDGE_VALUE_CHARS = 32;

  /**
   * Longest model name kept, in chars. Not bounded by the conventions; 128 holds every provider's
   * model ids and keeps a runaway value out of the Kafka message.
   */
  public static final int MAX_MODEL_CHARS = 128;

  /** Largest token count one span may report; more counts as absent (0). */
  public static final long MAX_TOKENS = 1_000_000_000L;

  /**
   * Longest duration a span may report for its queue time or its first token after its start, in
   * microseconds (7 days); longer counts as absent.
   */
  public static final long MAX_DURATION_MICROS = 7L * 24 * 3600 * 1_000_000;

  /** The character that replaces a control character or an unpaired surrogate. */
  public static final char REPLACEMENT = '\uFFFD';

  /**
   * True when {@code tenant} matches {@link #TENANT_PATTERN}: a name the API reads and the store
   * keeps, {@link #OVERFLOW} included (the API shows what the caps folded).
   */
  public static boolean matchesTenantPattern(String tenant) {
    if (tenant == null || tenant.isEmpty() || tenant.length() > MAX_TENANT_CHARS) {
      return false;
    }
    for (int i = 0, n = tenant.length(); i < n; i++) {
      if (!isTenantChar(tenant.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when a span may name {@code tenant}: it matches {@link #TENANT_PATTERN} and is not the
   * reserved {@link #OVERFLOW}.
   */
  public static boolean isValidTenant(String tenant) {
    if (tenant == lastValidTenant) {
      return true;
    }
    boolean valid = matchesTenantPattern(tenant) && !OVERFLOW.equals(tenant);
    if (valid) {
      lastValidTenant = tenant;
    }
    return valid;
  }

  /**
   * The tenant last found valid. The span codec hands out one {@code String} instance per distinct
   * value, and every span is checked twice (builder and record), so an identity hit skips the
   * character scan. Racy on purpose and still safe: a {@code String} is immutable, a stale value
   * only costs the scan.
   */
  private static String lastValidTenant = "default";

  private static boolean isTenantChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == ':'
        || c == '-';
  }

  /**
   * Why {@code tenant} is not valid, in English, showing at most 64 chars of it (cleaned, so the
   * message itself is safe to send back and log); empty when it is valid.
   */
  public static String tenantProblem(String tenant) {
    if (isValidTenant(tenant)) {
      return "";
    }
    if (OVERFLOW.equals(tenant)) {
      return "tenant '" + OVERFLOW + "' is reserved for the overflow of capped dimensions";
    }
    int length = tenant == null ? 0 : tenant.length();
    return "tenant must match "
        + TENANT_PATTERN
        + ", got '"
        + shown(tenant)
        + "'"
        + (length > 64 ? " (" + length + " chars)" : "");
  }

  /** {@code value} cleaned and cut to 64 chars with an ellipsis, for messages and logs. */
  public static String shown(String value) {
    if (value == null) {
      return "";
    }
    String cut = value.length() > 64 ? truncate(value, 64) + "..." : value;
    return clean(cut, Integer.MAX_VALUE);
  }

  /**
   * Free text made safe to store and show: control characters and unpaired surrogates replaced by
   * {@link #REPLACEMENT}, then cut to at most {@code max} chars without splitting a surrogate pair;
   * "" for null. Returns {@code s} itself when nothing had to change, so the common case allocates
   * nothing.
   */
  public static String clean(String s, int max) {
    if (s == null) {
      return "";
    }
    int n = s.length();
    int bad = firstUnsafe(s);
    if (bad < 0 || bad >= max) {
      return n <= max ? s : truncate(s, max);
    }
    StringBuilder out = new StringBuilder(Math.min(n, max));
    out.append(s, 0, bad);
    for (int i = bad; i < n && out.length() < max; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          if (out.length() + 2 > max) {
            break;
          }
          out.append(c).append(s.charAt(++i));
        } else {
          out.append(REPLACEMENT);
        }
      } else if (Character.isLowSurrogate(c) || isControl(c)) {
        out.append(REPLACEMENT);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** True when {@link #clean} would change {@code s} (other than by cutting it). */
  public static boolean isUnsafe(String s) {
    return s != null && firstUnsafe(s) >= 0;
  }

  /** Index of the first control character or unpaired surrogate, -1 when there is none. */
  private static int firstUnsafe(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        continue;
      }
      if (isControl(c)) {
        return i;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return i;
      }
      if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
  }

  /** At most {@code max} chars, never splitting a surrogate pair; "" for null. */
  public static String truncate(String s, int max) {
    if (s == null) {
      return "";
    }
    if (s.length() <= max) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, cut);
  }
}
