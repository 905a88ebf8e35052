package dev.tierscope.core.control;

import java.time.Instant;

/**
 * A class's decision changed.
 *
 * @param tenant tenant
 * @param trafficClass class
 * @param from the decision before ({@code admit}, {@code degrade-2}, {@code defer}, {@code shed})
 * @param to the decision now
 * @param at when
 * @param reason the new signal's first reason
 */
public record Transition(
    String tenant, String trafficClass, String from, String to, Instant at, String reason) {}
