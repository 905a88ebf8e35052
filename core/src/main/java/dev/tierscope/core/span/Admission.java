package dev.tierscope.core.span;

import dev.tierscope.conventions.SpanAttributes.Admissions;

/**
 * What a gateway did with a request under admission control ({@code tierscope.admission}): the
 * value of the attribute, or {@link #NONE} when the span reports none.
 */
public enum Admission {
  /** Not reported (no admission control, or not on this span). */
  NONE(""),
  ADMITTED(Admissions.ADMITTED),
  DEFERRED(Admissions.DEFERRED),
  SHED(Admissions.SHED);

  private final String id;

  Admission(String id) {
    this.id = id;
  }

  /** The attribute value (and the dimension of the window counter); empty for {@link #NONE}. */
  public String id() {
    return id;
  }

  /** The admission named by an attribute value; {@link #NONE} for null or an unknown value. */
  public static Admission fromAttribute(String value) {
    if (value != null) {
      for (Admission a : values()) {
        if (a != NONE && a.id.equals(value)) {
          return a;
        }
      }
    }
    return NONE;
  }

  /**
   * The stronger of two reports of one request: shed over deferred over admitted over none (a
   * request cancelled after it was admitted was shed).
   */
  public static Admission stronger(Admission a, Admission b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }
}
