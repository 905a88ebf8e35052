package dev.tierscope.core.attribution;

/**
 * One tier's result: found when it took part in a regression (its component grew significantly over
 * the baseline and TTFT regressed).
 *
 * @param tier the tier
 * @param share its part of the found tiers' summed growth, 0 to 1
 * @param shareLow lower end of the share's 95% bootstrap interval
 * @param shareHigh upper end of the share's 95% bootstrap interval
 * @param confidence fraction of bootstrap replicates in which this tier is found too, 0 to 1
 * @param growthMicros mean component of a request in the range minus the baseline's mean,
 *     microseconds
 * @param z the growth over its standard error (Welch), one-sided
 * @param found whether the tier is found
 */
public record TierFinding(
    Tier tier,
    double share,
    double shareLow,
    double shareHigh,
    double confidence,
    long growthMicros,
    double z,
    boolean found) {}
