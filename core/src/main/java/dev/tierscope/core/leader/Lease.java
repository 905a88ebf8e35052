package dev.tierscope.core.leader;

import java.util.regex.Pattern;

/**
 * Proof that an instance led a role, with the term it led in.
 *
 * <p>Terms only grow: every new leadership of a role gets a term higher than every earlier one. A
 * side effect that writes state passes its lease to the store, which refuses the write once a newer
 * term exists (a fencing token), so a leader that lost its lock without noticing cannot overwrite
 * its successor's state.
 *
 * @param role what is led, e.g. {@code alerting}
 * @param term the leadership's number, at least 1
 */
public record Lease(String role, long term) {

  public Lease {
    checkRole(role);
    if (term < 1) {
      throw new IllegalArgumentException("term must be at least 1, was " + term);
    }
  }

  private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_.-]{0,62}");

  /** Returns {@code role} if it is a valid role name (lowercase, at most 63 characters). */
  public static String checkRole(String role) {
    if (role == null || !ROLE.matcher(role).matches()) {
      throw new IllegalArgumentException(
          "role must match " + ROLE.pattern() + ", was '" + role + "'");
    }
    return role;
  }
}
