package dev.tierscope.aggregator.consumer;

import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.core.window.WindowCaps;
import java.time.Duration;

/**
 * What a consumer loop holds every record to beyond the span rules of the codec: the time bounds
 * (the ingest's, judged against the time Kafka stamped the record with), how far stream time may
 * run ahead of this instance's wall clock, and the caps of label-like dimensions per window.
 *
 * @param timeBounds a record whose span ends further after its Kafka timestamp than {@code
 *     maxFutureSkew}, or starts further before it than {@code maxAge}, is dead-lettered ({@code
 *     too_far_in_future}, {@code too_old}); keep equal to the ingest's
 * @param streamTimeTolerance stream time never runs further ahead of this instance's wall clock;
 *     zero or positive
 * @param windowCaps distinct tenants, workflows and client paths per window
 */
public record LoopLimits(
    SpanTimeBounds timeBounds, Duration streamTimeTolerance, WindowCaps windowCaps) {

  /** The ingest's default time bounds, no lead of stream time over the wall clock, default caps. */
  public static final LoopLimits DEFAULTS =
      new LoopLimits(SpanTimeBounds.DEFAULTS, Duration.ZERO, WindowCaps.DEFAULTS);

  public LoopLimits {
    if (timeBounds == null || windowCaps == null) {
      throw new IllegalArgumentException("timeBounds and windowCaps must be set");
    }
    if (streamTimeTolerance == null || streamTimeTolerance.isNegative()) {
      throw new IllegalArgumentException(
          "streamTimeTolerance must be >= 0, was " + streamTimeTolerance);
    }
  }
}
