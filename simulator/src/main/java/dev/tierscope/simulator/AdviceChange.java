package dev.tierscope.simulator;

import dev.tierscope.sdk.TrafficClass;
import java.time.Duration;
import java.time.Instant;

/**
 * The simulated gateway started following new advice for a class.
 *
 * @param offset when, from the run's start (simulated time)
 * @param at when, simulated
 * @param trafficClass class
 * @param from the decision before ({@code admit}, {@code degrade-2}, {@code defer}, {@code shed})
 * @param to the decision now
 */
public record AdviceChange(
    Duration offset, Instant at, TrafficClass trafficClass, String from, String to) {}
