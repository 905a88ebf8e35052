package dev.tierscope.core.window;

/**
 * One event-time window of one class of one tenant.
 *
 * @param tenant tenant
 * @param trafficClass class of the closed set
 * @param windowStartEpochMillis window start, epoch milliseconds, a multiple of the window size
 */
public record WindowKey(String tenant, String trafficClass, long windowStartEpochMillis) {

  public WindowKey {
    if (tenant == null || trafficClass == null) {
      throw new IllegalArgumentException("tenant and class are required");
    }
  }
}
