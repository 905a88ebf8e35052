package dev.tierscope.api.web;

/** Descriptions of the shared parameters, for the OpenAPI document. */
public final class ApiDocs {

  public static final String CLASS = "A configured traffic class, e.g. interactive_premium";

  public static final String FROM =
      "Range start, inclusive (windows starting at or after it): ISO-8601 instant or epoch"
          + " milliseconds";

  public static final String TO =
      "Range end, exclusive (windows starting before it): ISO-8601 instant or epoch milliseconds";

  public static final String TENANT = "Tenant; tierscope.api.default-tenant when absent";

  public static final String STEP =
      "Step length (10s, 5m, 1h, 1d, plain seconds or ISO-8601), a multiple of the 10 s window";

  public static final String AT = "Evaluation instant, default now: ISO-8601 or epoch milliseconds";

  private ApiDocs() {}
}
