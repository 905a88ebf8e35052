package dev.tierscope.boot;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code tierscope.classes.*}: the closed set of traffic classes and their objectives.
 *
 * <p>The three default classes (docs/slo-spec.md) exist with their default objectives; an entry
 * under {@code objectives} changes the fields it names of an existing class, or adds a class. A
 * spec file ({@code spec-file}) adds objectives, class rules and the fallback as code; an objective
 * set both there and here is refused.
 *
 * @param specFile path of the SLO spec file (OpenSLO v1 YAML with Tierscope's class rules), null
 *     for none
 * @param fallback class of requests that report none or an unknown one and match no class rule;
 *     null when not set ({@code standard_interactive} unless the spec file names one)
 * @param aliases reported value -> class name
 * @param objectives class name -> objectives (unset fields keep the class's defaults)
 */
@ConfigurationProperties("tierscope.classes")
public record ClassesProperties(
    String specFile,
    String fallback,
    Map<String, String> aliases,
    Map<String, Objectives> objectives) {

  /**
   * Objectives of one class; null fields keep the default.
   *
   * @param ttftThreshold TTFT threshold (e.g. {@code 800ms})
   * @param ttftTarget TTFT target, e.g. 0.95
   * @param maxInterruptionRate e.g. 0.005
   * @param toolchainThreshold tool-chain latency threshold (e.g. {@code 3s})
   * @param toolchainTarget tool-chain target, e.g. 0.95
   * @param maxFallbackRatio e.g. 0.02
   */
  public record Objectives(
      Duration ttftThreshold,
      Double ttftTarget,
      Double maxInterruptionRate,
      Duration toolchainThreshold,
      Double toolchainTarget,
      Double maxFallbackRatio) {}
}
