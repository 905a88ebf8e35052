package dev.tierscope.auth;

import java.util.Locale;

/** How callers are identified ({@code tierscope.auth.mode}). */
public enum AuthMode {
  /**
   * Nobody is identified: every caller has every scope and names its tenant freely. Allowed only
   * while every listener is bound to a loopback address (the quick start).
   */
  NONE,
  /** A bearer token from the token file identifies the caller, its tenants and scopes. */
  TOKEN,
  /**
   * A proxy in front authenticates and names the tenant in {@code X-Scope-OrgID}; requests are
   * accepted only from the configured proxy addresses.
   */
  TRUSTED_HEADER;

  /** The property value: {@code none}, {@code token}, {@code trusted-header}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The mode of a property value.
   *
   * @throws IllegalArgumentException naming the known modes
   */
  public static AuthMode of(String word) {
    for (AuthMode m : values()) {
      if (m.word().equalsIgnoreCase(word.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown authentication mode '" + word + "'; use none, token or trusted-header");
  }
}
