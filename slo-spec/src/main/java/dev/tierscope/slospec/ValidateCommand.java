package dev.tierscope.slospec;

import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.classes.ObjectiveSource;
import dev.tierscope.core.classes.SloSpecException;
import dev.tierscope.core.classes.SpecProblem;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.classes.TrafficClassesBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code validate FILE...}: checks spec files as the deployables do at start-up (against the
 * default classes, without properties) and prints every problem as {@code file:line:column:
 * message}. Exit status 0 when every file is valid, 1 when one is not, 2 on a usage error, so CI
 * can run it on every change of the file.
 *
 * <pre>{@code
 * int status = ValidateCommand.run(List.of("tierscope-slo.yaml"), System.out, System.err);
 * }</pre>
 */
public final class ValidateCommand {

  /** Every file valid. */
  public static final int VALID = 0;

  /** At least one file invalid. */
  public static final int INVALID = 1;

  /** No file given, or an option this command does not know. */
  public static final int USAGE = 2;

  private ValidateCommand() {}

  /**
   * Checks each file; a summary per valid file on {@code out}, the problems on {@code err}.
   *
   * @param args the files (the arguments after {@code validate})
   * @return {@link #VALID}, {@link #INVALID} or {@link #USAGE}
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.stream().anyMatch(a -> a.startsWith("-"))) {
      err.println(
          "usage: validate FILE...  (checks Tierscope SLO spec files; see docs/slo-spec.md)");
      return USAGE;
    }
    int status = VALID;
    for (String file : args) {
      try {
        TrafficClasses classes = SloSpecReader.load(Path.of(file), new TrafficClassesBuilder());
        out.println(file + ": valid; " + summary(classes));
      } catch (SloSpecException e) {
        for (SpecProblem p : e.problems()) {
          err.println(p);
        }
        int n = e.problems().size();
        err.println(file + ": invalid, " + n + (n == 1 ? " error" : " errors"));
        status = INVALID;
      }
    }
    return status;
  }

  private static String summary(TrafficClasses classes) {
    int fromFile = 0;
    StringBuilder names = new StringBuilder();
    for (TrafficClass c : classes.all()) {
      names.append(names.length() == 0 ? "" : ", ").append(c.name());
      for (Indicator i : Indicator.values()) {
        if (c.source(i).type() == ObjectiveSource.Type.FILE) {
          fromFile++;
        }
      }
    }
    int rules = classes.rules().all().size();
    return classes.all().size()
        + " classes ("
        + names
        + "), "
        + fromFile
        + (fromFile == 1 ? " objective" : " objectives")
        + " from the file, "
        + rules
        + (rules == 1 ? " class rule" : " class rules")
        + ", fallback "
        + classes.fallback();
  }
}
