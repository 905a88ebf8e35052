package dev.tierscope.core.store;

import java.util.List;

/**
 * The read seam of all-time totals: per tenant and class, the merge of every window delta ever
 * committed. Prometheus counters and cumulative histogram buckets come from here.
 *
 * <p>Why a seam of its own rather than a sum over all windows: the checkpoint store maintains the
 * totals in the same transaction as the window deltas and the partition offsets, so they are
 * exactly once for the same reason the windows are (a fenced or failed commit writes neither), and
 * rollups and retention never touch them, so they only grow. Reading them costs one row per
 * (tenant, class, metric or counter), whatever the age of the data.
 */
public interface TotalsReader {

  /**
   * The totals of every class of every tenant in {@code scope} that has any, ordered by tenant,
   * then class.
   */
  List<ClassTotals> totals(TenantScope scope);

  /** The tenants in {@code scope} that have totals, in order; cheaper than reading them. */
  List<String> tenants(TenantScope scope);
}
