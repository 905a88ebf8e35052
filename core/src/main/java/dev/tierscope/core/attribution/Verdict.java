package dev.tierscope.core.attribution;

/** What an attribution concludes about a range: the dominant tier, none, or too little data. */
public enum Verdict {
  EDGE("edge", Tier.EDGE),
  MESH("mesh", Tier.MESH),
  MODEL("model", Tier.MODEL),
  /** TTFT did not regress significantly, or no tier's component grew significantly. */
  NONE("none", null),
  /** The range or the baseline holds too few requests for the tests to mean anything. */
  INSUFFICIENT_DATA("insufficient_data", null);

  private final String id;
  private final Tier tier;

  Verdict(String id, Tier tier) {
    this.id = id;
    this.tier = tier;
  }

  /** The API's name. */
  public String id() {
    return id;
  }

  /** The tier named, or null for {@link #NONE} and {@link #INSUFFICIENT_DATA}. */
  public Tier tier() {
    return tier;
  }

  /** The verdict naming {@code tier}. */
  public static Verdict of(Tier tier) {
    return switch (tier) {
      case EDGE -> EDGE;
      case MESH -> MESH;
      case MODEL -> MODEL;
    };
  }
}
