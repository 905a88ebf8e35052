package dev.tierscope.api.control;

import java.util.List;

/**
 * {@code GET /api/v1/control}.
 *
 * @param tenant tenant
 * @param ladder the policy's steps in order ({@code class:step}): rung r puts the first r in effect
 * @param signals the tenant's current signals, in class configuration order (empty before the
 *     leader's first evaluation of the tenant)
 */
public record ControlResponse(String tenant, List<String> ladder, List<SignalView> signals) {}
