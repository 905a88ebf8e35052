package dev.tierscope.simulator;

/**
 * Where a tier's call was served: the service that reports the tier's span ({@code service.name})
 * and the region it runs in ({@code cloud.region}). The simulated deployment has a primary region,
 * where the gateway and every backend normally run, and a secondary region one {@link
 * #INTER_REGION_RTT inter-region round trip} away, where the model runtime and the retriever have a
 * standby that a failover fault ({@link FaultKind#MODEL_FAILOVER}, {@link
 * FaultKind#RETRIEVAL_FAILOVER}) moves traffic to.
 *
 * @param service {@code service.name} of the backend
 * @param region {@code cloud.region} the backend runs in
 */
public record Backend(String service, String region) {

  /** Where the gateway and the primary backends run. */
  public static final String PRIMARY_REGION = "us-east-1";

  /** Where the standby backends run. */
  public static final String SECONDARY_REGION = "eu-central-1";

  /** The model runtime of the primary region (the one every healthy request uses). */
  public static final Backend MODEL_PRIMARY = new Backend("sim-model-runtime", PRIMARY_REGION);

  /** The model runtime of the secondary region. */
  public static final Backend MODEL_SECONDARY =
      new Backend("sim-model-runtime-euc1", SECONDARY_REGION);

  /** The retriever (vector search and document fetch) of the primary region. */
  public static final Backend RETRIEVAL_PRIMARY = new Backend("sim-retriever", PRIMARY_REGION);

  /** The retriever of the secondary region. */
  public static final Backend RETRIEVAL_SECONDARY =
      new Backend("sim-retriever-euc1", SECONDARY_REGION);

  /**
   * The round trip between the primary and the secondary region, LN(95 ms, 0.1): a standby on
   * another continent (US east coast to central Europe), where a model tier often has to go because
   * that is where spare accelerator capacity is. Chosen so that a failover of all calls at the
   * default strength is a clear regression, as every other fault is; a standby on the same
   * continent (~65 ms) moved half the traffic by about the attribution's 10% margin (accuracy
   * README).
   */
  static final Lognormal INTER_REGION_RTT = Lognormal.ofMillis(95, 0.1);

  /**
   * Sequential calls a retrieval makes to its backend (embed the query, search, fetch the
   * documents): a retrieval served from the other region pays the round trip this many times.
   */
  static final int RETRIEVAL_ROUND_TRIPS = 3;

  public Backend {
    if (service == null || service.isEmpty() || region == null || region.isEmpty()) {
      throw new IllegalArgumentException("a backend needs a service name and a region");
    }
  }

  /** Whether this backend runs outside the primary region. */
  public boolean failedOver() {
    return !region.equals(PRIMARY_REGION);
  }

  /** {@code service (region)}. */
  @Override
  public String toString() {
    return service + " (" + region + ")";
  }
}
