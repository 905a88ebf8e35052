package dev.tierscope.ingest.receiver;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** {@link IngestMetrics} counted in memory, for assertions on what the receiver reported. */
final class CountingIngestMetrics implements IngestMetrics {

  private final Map<Protocol, Long> accepted = new EnumMap<>(Protocol.class);
  private final Map<String, Long> rejected = new HashMap<>();
  private final Map<String, Long> throttled = new HashMap<>();
  private final Map<String, Long> rejectedRequests = new HashMap<>();
  private final Map<String, Long> normalized = new HashMap<>();
  private long unknownClass;
  private long produced;
  private long produceFailed;
  private long produceTimedOut;

  @Override
  public synchronized void accepted(Protocol protocol, int spans) {
    accepted.merge(protocol, (long) spans, Long::sum);
  }

  @Override
  public synchronized void rejected(Protocol protocol, Map<String, Integer> byReason) {
    byReason.forEach((reason, n) -> rejected.merge(reason, (long) n, Long::sum));
  }

  @Override
  public synchronized void throttled(Protocol protocol, String reason, int spans) {
    throttled.merge(reason, (long) spans, Long::sum);
  }

  @Override
  public synchronized void rejectedRequest(Protocol protocol, String reason) {
    rejectedRequests.merge(protocol.tag() + " " + reason, 1L, Long::sum);
  }

  @Override
  public synchronized void unknownClass(int spans) {
    unknownClass += spans;
  }

  @Override
  public synchronized void normalized(Protocol protocol, Map<String, Integer> byField) {
    byField.forEach((field, n) -> normalized.merge(field, (long) n, Long::sum));
  }

  @Override
  public void requestSize(Protocol protocol, long bytes) {}

  @Override
  public synchronized void produced(long nanos) {
    produced++;
  }

  @Override
  public synchronized void produceFailed(long nanos, boolean timedOut) {
    if (timedOut) {
      produceTimedOut++;
    } else {
      produceFailed++;
    }
  }

  synchronized long accepted(Protocol protocol) {
    return accepted.getOrDefault(protocol, 0L);
  }

  synchronized long accepted() {
    return accepted.values().stream().mapToLong(Long::longValue).sum();
  }

  synchronized long rejected(String reason) {
    return rejected.getOrDefault(reason, 0L);
  }

  synchronized long throttled(String reason) {
    return throttled.getOrDefault(reason, 0L);
  }

  /** Requests refused whole, by {@code "<protocol tag> <reason>"}. */
  synchronized long rejectedRequests(Protocol protocol, String reason) {
    return rejectedRequests.getOrDefault(protocol.tag() + " " + reason, 0L);
  }

  synchronized long normalized(String field) {
    return normalized.getOrDefault(field, 0L);
  }

  synchronized long unknownClass() {
    return unknownClass;
  }

  /** Requests whose spans were all acknowledged. */
  synchronized long produced() {
    return produced;
  }

  synchronized long produceFailed(boolean timedOut) {
    return timedOut ? produceTimedOut : produceFailed;
  }
}
