package dev.tierscope.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When which fault is on during a run: a list of {@link FaultWindow}s (they may overlap), played
 * once or repeated with a period.
 *
 * <pre>{@code
 * FaultSchedule once = FaultSchedule.of(FaultWindow.parse("edge-vpn@2m+3m"));
 * // healthy 2 min, edge fault 2 min, healthy 2 min, mesh fault 2 min, ... and again
 * FaultSchedule demo = FaultSchedule.cycle(Duration.ofMinutes(2), Duration.ofMinutes(2),
 *     List.of(FaultKind.EDGE_VPN, FaultKind.MESH_TOOL_TIMEOUT, FaultKind.MODEL_QUEUE_SATURATION));
 * }</pre>
 */
public final class FaultSchedule {

  private static final FaultSchedule NONE = new FaultSchedule(List.of(), null);

  private final List<FaultWindow> windows;
  private final Duration period;

  private FaultSchedule(List<FaultWindow> windows, Duration period) {
    List<FaultWindow> sorted = new ArrayList<>(windows);
    sorted.sort(Comparator.comparing(FaultWindow::start).thenComparing(w -> w.kind().ordinal()));
    this.windows = List.copyOf(sorted);
    this.period = period;
  }

  /** No faults: a healthy run. */
  public static FaultSchedule none() {
    return NONE;
  }

  /** The windows, played once. */
  public static FaultSchedule of(FaultWindow... windows) {
    return new FaultSchedule(List.of(windows), null);
  }

  /** The windows, played once. */
  public static FaultSchedule of(List<FaultWindow> windows) {
    return new FaultSchedule(windows, null);
  }

  /**
   * A repeating cycle: {@code healthy} without faults, then the first kind for {@code faulted},
   * then {@code healthy} again, then the next kind, and so on; after the last kind it starts over.
   */
  public static FaultSchedule cycle(Duration healthy, Duration faulted, List<FaultKind> kinds) {
    if (kinds.isEmpty()) {
      return NONE;
    }
    List<FaultWindow> windows = new ArrayList<>();
    Duration at = Duration.ZERO;
    for (FaultKind kind : kinds) {
      at = at.plus(healthy);
      windows.add(FaultWindow.of(kind, at, faulted));
      at = at.plus(faulted);
    }
    return new FaultSchedule(windows, at);
  }

  /** This schedule repeated every {@code period} (which must cover every window). */
  public FaultSchedule repeatEvery(Duration period) {
    for (FaultWindow w : windows) {
      if (w.end().compareTo(period) > 0) {
        throw new IllegalArgumentException(
            "fault " + w + " ends after the repeat period " + Durations.format(period));
      }
    }
    return new FaultSchedule(windows, period);
  }

  /** The windows of one pass. */
  public List<FaultWindow> windows() {
    return windows;
  }

  /** The repeat period, or null when the schedule plays once. */
  public Duration period() {
    return period;
  }

  /** Whether the schedule has no faults. */
  public boolean isEmpty() {
    return windows.isEmpty();
  }

  /** The windows on at {@code offset} from the run's start, in schedule order. */
  public List<FaultWindow> activeAt(Duration offset) {
    Duration local = local(offset);
    List<FaultWindow> on = new ArrayList<>(2);
    for (FaultWindow w : windows) {
      if (w.activeAt(local)) {
        on.add(w);
      }
    }
    return on;
  }

  /** A switch of one fault, at an offset from the run's start. */
  public record Transition(Duration at, FaultWindow window, boolean on) {}

  /** The switches in {@code (from, to]}, in time order (an end before a start at the same time). */
  public List<Transition> transitionsBetween(Duration from, Duration to) {
    List<Transition> out = new ArrayList<>();
    if (windows.isEmpty() || to.compareTo(from) <= 0) {
      return out;
    }
    long firstCycle = period == null ? 0 : Math.max(0, from.toNanos() / period.toNanos());
    long lastCycle = period == null ? 0 : to.toNanos() / period.toNanos();
    for (long c = firstCycle; c <= lastCycle; c++) {
      Duration base = period == null ? Duration.ZERO : period.multipliedBy(c);
      for (FaultWindow w : windows) {
        Duration on = base.plus(w.start());
        Duration off = base.plus(w.end());
        if (on.compareTo(from) > 0 && on.compareTo(to) <= 0) {
          out.add(new Transition(on, w, true));
        }
        if (off.compareTo(from) > 0 && off.compareTo(to) <= 0) {
          out.add(new Transition(off, w, false));
        }
      }
    }
    out.sort(
        Comparator.comparing(Transition::at)
            .thenComparing(t -> t.on() ? 1 : 0)
            .thenComparing(t -> t.window().kind().ordinal()));
    return out;
  }

  private Duration local(Duration offset) {
    if (period == null) {
      return offset;
    }
    return Duration.ofNanos(Math.floorMod(offset.toNanos(), period.toNanos()));
  }

  @Override
  public String toString() {
    if (windows.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    for (FaultWindow w : windows) {
      s.append(s.length() == 0 ? "" : ", ").append(w);
    }
    return period == null ? s.toString() : s + " (every " + Durations.format(period) + ")";
  }
}
