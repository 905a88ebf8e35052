package dev.tierscope.core.window;

/**
 * How many distinct values each label-like dimension may take per event-time window before the
 * excess is folded into {@code __overflow__} ({@link CappedDimension}). Per instance: each consumer
 * loop counts on its own.
 *
 * @param tenants distinct tenants per window (tenants bound to an authenticated caller never fold)
 * @param workflows distinct workflows per window and tenant (the token counters' dimension)
 * @param clientPaths distinct client paths per window and tenant (the edge attribution's dimension)
 * @param regions distinct regions per window and tenant (the {@code region} breakdown)
 * @param models distinct models per window and tenant (the {@code model} breakdown)
 * @param services distinct backend services per window and tenant (the {@code service} breakdown)
 */
public record WindowCaps(
    int tenants, int workflows, int clientPaths, int regions, int models, int services) {

  /**
   * 1 000 tenants, 100 workflows per tenant, 16 client paths per tenant, 16 regions, 16 models and
   * 16 services per tenant, per window.
   */
  public static final WindowCaps DEFAULTS = new WindowCaps(1_000, 100, 16, 16, 16, 16);

  public WindowCaps {
    if (tenants < 1
        || workflows < 1
        || clientPaths < 1
        || regions < 1
        || models < 1
        || services < 1) {
      throw new IllegalArgumentException(
          "caps must be >= 1, were tenants "
              + tenants
              + ", workflows "
              + workflows
              + ", client paths "
              + clientPaths
              + ", regions "
              + regions
              + ", models "
              + models
              + ", services "
              + services);
    }
  }

  /** Caps with the breakdown dimensions at their defaults. */
  public WindowCaps(int tenants, int workflows, int clientPaths) {
    this(tenants, workflows, clientPaths, DEFAULTS_REGIONS, DEFAULTS_MODELS, DEFAULTS_SERVICES);
  }

  private static final int DEFAULTS_REGIONS = 16;
  private static final int DEFAULTS_MODELS = 16;
  private static final int DEFAULTS_SERVICES = 16;
}
