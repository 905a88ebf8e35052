package dev.tierscope.core.assembly;

/** The mesh role that spent the most time in a request, a sub-signal for attribution. */
public enum MeshRole {
  NONE,
  RETRIEVAL,
  TOOL,
  POLICY,
  INTERNAL
}
