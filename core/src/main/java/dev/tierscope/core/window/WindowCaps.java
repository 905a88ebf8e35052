package dev.tierscope.core.window;

/**
 * How many distinct values each label-like dimension may take per event-time window before the
 * excess is folded into {@code __overflow__} ({@link CappedDimension}). Per instance: each consumer
 * loop counts on its own.
 *
 * @param tenants distinct tenants per window (tenants bound to an authenticated caller never fold)
 * @param workflows distinct workflows per window and tenant (the token counters' dimension)
 * @param clientPaths distinct client paths per window and tenant (the edge attribution's dimension)
 */
public record WindowCaps(int tenants, int workflows, int clientPaths) {

  /** 1 000 tenants, 100 workflows per tenant, 16 client paths per tenant, per window. */
  public static final WindowCaps DEFAULTS = new WindowCaps(1_000, 100, 16);

  public WindowCaps {
    if (tenants < 1 || workflows < 1 || clientPaths < 1) {
      throw new IllegalArgumentException(
          "caps must be >= 1, were tenants "
              + tenants
              + ", workflows "
              + workflows
              + ", client paths "
              + clientPaths);
    }
  }
}
