package dev.tierscope.api.control;

import dev.tierscope.api.web.ApiDocs;
import dev.tierscope.api.web.Params;
import dev.tierscope.core.control.ControlPolicy;
import dev.tierscope.core.control.ControlSignal;
import dev.tierscope.core.control.ControlStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/v1/control} and {@code GET /api/v1/control/stream}: the admission and degradation
 * signal of each class of a tenant, as the control leader last stored it.
 */
@RestController
@RequestMapping("/api/v1")
public class ControlController {

  private final ControlStore store;
  private final ControlPolicy policy;
  private final SignalStream stream;
  private final Params params;
  private final ClassOrder order;

  ControlController(
      ControlStore store,
      ControlPolicy policy,
      SignalStream stream,
      Params params,
      ClassOrder order) {
    this.store = store;
    this.policy = policy;
    this.stream = stream;
    this.params = params;
    this.order = order;
  }

  @Operation(
      summary =
          "Admission and degradation signals of a tenant's classes (admit, degrade with a level,"
              + " defer, shed), with reasons and evidence")
  @GetMapping("/control")
  ControlResponse control(
      @Parameter(description = "One class only (default: every class)")
          @RequestParam(value = "class", required = false)
          String className,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    String t = params.tenant(tenant);
    String cls =
        className == null || className.isBlank() ? null : params.trafficClass(className).name();
    List<ControlSignal> signals = order.apply(store.signals(t));
    return new ControlResponse(
        t,
        policy.ladder(),
        signals.stream()
            .filter(s -> cls == null || s.trafficClass().equals(cls))
            .map(SignalView::of)
            .toList());
  }

  @Operation(
      summary =
          "Server-sent events of a tenant's signals: every current one at connection, then each"
              + " change at once and all of them every heartbeat")
  @GetMapping(value = "/control/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter stream(
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    return stream.subscribe(params.tenant(tenant));
  }
}
