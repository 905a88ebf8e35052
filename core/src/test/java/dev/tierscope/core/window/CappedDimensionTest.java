package dev.tierscope.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A flood of distinct values folds into one, while the values that were there keep their name. */
class CappedDimensionTest {

  static final long W = 10_000;

  @Test
  void foldsNewValuesBeyondTheCapAndCountsThem() {
    CappedDimension tenants = new CappedDimension("tenant", 3, W);

    assertThat(tenants.admit(0, "", "a", false)).isEqualTo("a");
    assertThat(tenants.admit(0, "", "b", false)).isEqualTo("b");
    assertThat(tenants.admit(0, "", "c", false)).isEqualTo("c");
    assertThat(tenants.admit(0, "", "d", false)).isEqualTo(CappedDimension.OVERFLOW);
    assertThat(tenants.admit(0, "", "a", false)).isEqualTo("a");
    assertThat(tenants.admit(0, "", "e", false)).isEqualTo(CappedDimension.OVERFLOW);
    assertThat(tenants.folded()).isEqualTo(2);
    assertThat(CappedDimension.OVERFLOW).isEqualTo("__overflow__");
  }

  @Test
  void valuesOfThePreviousWindowKeepTheirNameThroughAFlood() {
    CappedDimension tenants = new CappedDimension("tenant", 100, W);
    for (String healthy : new String[] {"acme", "globex", "initech"}) {
      tenants.admit(0, "", healthy, false);
    }
    // The next window: a flood of 10 000 distinct tenants arrives first, the healthy ones after.
    for (int i = 0; i < 10_000; i++) {
      tenants.admit(W, "", "flood-" + i, false);
    }
    assertThat(tenants.admit(W, "", "acme", false)).isEqualTo("acme");
    assertThat(tenants.admit(W, "", "globex", false)).isEqualTo("globex");
    assertThat(tenants.admit(W, "", "initech", false)).isEqualTo("initech");
    assertThat(tenants.admit(W, "", "newcomer", false)).isEqualTo(CappedDimension.OVERFLOW);
    assertThat(tenants.folded()).isEqualTo(10_000 - 100 + 1);
    // The window after: the carried-over share is bounded too (at most 100 more names).
    for (int i = 0; i < 10_000; i++) {
      tenants.admit(2 * W, "", "flood-" + i, false);
    }
    assertThat(tenants.remembered()).isLessThanOrEqualTo(3 + 100 + 200 + 3);
  }

  @Test
  void neverFoldsAProtectedValue() {
    CappedDimension tenants = new CappedDimension("tenant", 1, W);
    tenants.admit(0, "", "first", false);

    assertThat(tenants.admit(0, "", "authenticated", true)).isEqualTo("authenticated");
    assertThat(tenants.admit(0, "", "second", false)).isEqualTo(CappedDimension.OVERFLOW);
  }

  @Test
  void countsEachScopeOnItsOwn() {
    CappedDimension workflows = new CappedDimension("workflow", 1, W);

    assertThat(workflows.admit(0, "acme", "rag", false)).isEqualTo("rag");
    assertThat(workflows.admit(0, "acme", "agent", false)).isEqualTo(CappedDimension.OVERFLOW);
    assertThat(workflows.admit(0, "globex", "agent", false)).isEqualTo("agent");
  }

  @Test
  void remembersOnlyTheMostRecentWindows() {
    CappedDimension d = new CappedDimension("tenant", 10, W);
    for (long w = 0; w < 100; w++) {
      for (int i = 0; i < 10; i++) {
        d.admit(w * W, "", "t" + i, false);
      }
    }
    assertThat(d.remembered()).isEqualTo(CappedDimension.WINDOWS_KEPT * 10);
  }

  @Test
  void refusesACapBelowOne() {
    assertThatThrownBy(() -> new CappedDimension("tenant", 0, W))
        .hasMessageContaining("tenant: maxValues must be >= 1");
  }
}
