package io.bronzecdc.model.source;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link SourcePreflight} found: the problems only an administrator can fix, and the fixes an engine may
 * apply itself. Nothing was changed to find them.
 *
 * @param user the role the pipeline connects as
 * @param problems each problem with its fix; none of them can be fixed by the engine
 * @param fixes what the engine may fix itself ({@code --init}), each with the privileges the role lacks for it
 * @param optionalFixes what {@code --init} installs when the role may, and only warns about otherwise (the
 *     schema-change event trigger, which needs a superuser): the pipeline runs without them, less completely
 * @param cautions what the pipeline captures less than whole and nobody can fix (generated columns), each with what
 *     it means for bronze and what to do instead
 */
public record SourceInspection(String user, List<String> problems, List<SourceFix> fixes,
        List<SourceFix> optionalFixes, List<String> cautions) {
    public SourceInspection {
        problems = List.copyOf(problems);
        fixes = List.copyOf(fixes);
        optionalFixes = List.copyOf(optionalFixes);
        cautions = List.copyOf(cautions);
    }

    public SourceInspection(String user, List<String> problems, List<SourceFix> fixes,
            List<SourceFix> optionalFixes) {
        this(user, problems, fixes, optionalFixes, List.of());
    }

    public SourceInspection(String user, List<String> problems, List<SourceFix> fixes) {
        this(user, problems, fixes, List.of());
    }

    /**
     * What the pipeline runs without, to log once as a warning: each caution, then each optional fix not applied,
     * with who may apply it.
     *
     * @param init whether the engine applies the fixes it may now ({@code --init}): then only the optional fixes the
     *     role may not apply remain
     * @param fixHint how to apply a fix the role may apply, for example {@code "start once with --init"}
     */
    public List<String> warnings(boolean init, String fixHint) {
        List<String> warnings = new ArrayList<>(cautions);
        for (SourceFix fix : optionalFixes) {
            if (!fix.permitted()) {
                warnings.add(fix.problem() + ". Role " + user + " lacks " + privileges(fix) + ": "
                        + fix.missingPrivileges().stream().map(PrivilegeGap::grant).distinct()
                        .collect(Collectors.joining("; ")));
            } else if (!init) {
                warnings.add(fix.problem() + ": " + fixHint);
            }
        }
        return warnings;
    }

    /**
     * Every problem, the fixable ones with the statements to run.
     *
     * @param fixHint appended to a fixable problem the role may fix itself, for example
     *     {@code " (or start with --init)"}; empty when the engine has no such option
     */
    public List<String> problemsWithoutFixing(String fixHint) {
        List<String> all = new ArrayList<>(problems);
        for (SourceFix fix : fixes) {
            all.add(fix.problem() + ": run " + fix.script() + (fix.permitted() ? fixHint
                    : " as a role allowed to (" + user + " lacks " + privileges(fix) + ")"));
        }
        return all;
    }

    /**
     * The problems that remain when the engine is to fix what it can: every problem, plus each fix the role lacks
     * the privileges for, naming them and the statements that grant them. Empty when {@link #applyFixes} may run.
     */
    public List<String> problemsBeforeFixing() {
        List<String> all = new ArrayList<>(problems);
        for (SourceFix fix : fixes) {
            if (!fix.permitted()) {
                all.add(fix.problem() + ", and init (bronze-cdc init, or an engine's --init) cannot fix it: role " + user + " lacks " + privileges(fix)
                        + ". Have the owner or a superuser run " + fix.script() + " or give " + user + " what it"
                        + " lacks (as the owner or a superuser: " + fix.missingPrivileges().stream()
                        .map(PrivilegeGap::grant).distinct().collect(Collectors.joining("; ")) + ";)");
            }
        }
        return all;
    }

    private static String privileges(SourceFix fix) {
        return fix.missingPrivileges().stream().map(PrivilegeGap::privilege).collect(Collectors.joining(", "));
    }

    /**
     * Applies every fix, and every optional fix the role may apply, in one transaction: all of them or, when one
     * fails, none.
     *
     * @return the statements run, in order
     * @throws IllegalStateException when {@link #problemsBeforeFixing()} is not empty (a programming error: check
     *     first)
     */
    public List<String> applyFixes(Connection c) throws SQLException {
        List<String> remaining = problemsBeforeFixing();
        if (!remaining.isEmpty()) {
            throw new IllegalStateException("fixes applied while problems remain: " + remaining);
        }
        List<String> applied = new ArrayList<>();
        List<SourceFix> toApply = new ArrayList<>(fixes);
        optionalFixes.stream().filter(SourceFix::permitted).forEach(toApply::add);
        if (toApply.isEmpty()) {
            return applied;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (SourceFix fix : toApply) {
                for (String statement : fix.statements()) {
                    s.execute(statement);
                    applied.add(statement.lines().findFirst().orElse("")); // a script: its first line names it
                }
            }
            c.commit();
            return applied;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
