package dev.tierscope.ingest.http;

import java.util.Locale;

/**
 * The little of HTTP media types that OTLP/HTTP needs: the {@code type/subtype} of a {@code
 * Content-Type}, and whether an {@code Accept} header asks for protobuf only.
 */
final class MediaTypes {

  private MediaTypes() {}

  /**
   * The lowercase {@code type/subtype} of a media type or media range, without its parameters; null
   * when the value is missing or malformed (type and subtype must be HTTP tokens, parameters {@code
   * name=value} pairs).
   */
  static String essence(String value) {
    if (value == null) {
      return null;
    }
    String[] parts = splitOutsideQuotes(value, ';');
    String essence = parts[0].trim();
    int slash = essence.indexOf('/');
    if (slash <= 0
        || slash == essence.length() - 1
        || !isToken(essence.substring(0, slash))
        || !isToken(essence.substring(slash + 1))) {
      return null;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      int eq = parameter.indexOf('=');
      if (eq <= 0 || !isToken(parameter.substring(0, eq).trim())) {
        return null;
      }
      String v = parameter.substring(eq + 1).trim();
      if (!(isToken(v) || (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")))) {
        return null;
      }
    }
    return essence.toLowerCase(Locale.ROOT);
  }

  /**
   * True when the {@code Accept} header names protobuf and no range that JSON would satisfy ({@code
   * application/json}, {@code application/*}, a wildcard type); false for a missing or malformed
   * header.
   */
  static boolean acceptsOnlyProtobuf(String accept) {
    if (accept == null) {
      return false;
    }
    for (String range : splitOutsideQuotes(accept, ',')) {
      if (range.isBlank()) {
        continue;
      }
      String essence = essence(range);
      if (essence == null) {
        return false;
      }
      int slash = essence.indexOf('/');
      String type = essence.substring(0, slash);
      String subtype = essence.substring(slash + 1);
      boolean json =
          type.equals("*")
              || (type.equals("application")
                  && (subtype.equals("*") || subtype.equals("json") || subtype.equals("*+json")));
      if (json) {
        return false;
      }
    }
    return accept.contains("protobuf");
  }

  private static String[] splitOutsideQuotes(String value, char separator) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    boolean quoted = false;
    int from = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == separator && !quoted) {
        parts.add(value.substring(from, i));
        from = i + 1;
      }
    }
    parts.add(value.substring(from));
    return parts.toArray(new String[0]);
  }

  /** An HTTP token (RFC 9110): visible ASCII except separators. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }
}
