package dev.tierscope.api.control;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.control.ControlSignal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Orders signals by tenant, then by class in configuration order. */
final class ClassOrder implements Function<List<ControlSignal>, List<ControlSignal>> {

  private final Map<String, Integer> rank = new HashMap<>();

  ClassOrder(TrafficClasses classes) {
    List<TrafficClass> all = classes.all();
    for (int i = 0; i < all.size(); i++) {
      rank.put(all.get(i).name(), i);
    }
  }

  @Override
  public List<ControlSignal> apply(List<ControlSignal> signals) {
    List<ControlSignal> out = new ArrayList<>(signals);
    out.sort(
        Comparator.comparing(ControlSignal::tenant)
            .thenComparing(s -> rank.getOrDefault(s.trafficClass(), Integer.MAX_VALUE)));
    return out;
  }
}
