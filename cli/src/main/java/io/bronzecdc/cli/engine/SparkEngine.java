package io.bronzecdc.cli.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The Spark micro-batch job, one micro-batch per process: {@code java <Spark's Java 17 module flags>
 * -Dspark.master=local[2] -cp <spark-batch jar, runtime and provided classpath> io.bronzecdc.spark.job.MicroBatchJob
 * --config <yaml> --retries 0} with {@code SPARK_LOCAL_IP=127.0.0.1}. The exit code is the job's (0 = committed and
 * advanced the slot; see spark-batch/README.md). The first run takes the snapshot, each later run the changes
 * committed since.
 *
 * <p>The module flags are the {@value #MODULE_OPTIONS_PROPERTY} property of spark-batch's pom: the list {@code
 * spark-submit} adds, kept there in one place and checked against Spark by that module's tests.
 */
public final class SparkEngine implements EngineRunner {
    /** The module that holds the job. */
    public static final String MODULE = "spark-batch";
    /** The job's main class. */
    public static final String MAIN_CLASS = "io.bronzecdc.spark.job.MicroBatchJob";
    /** The property of spark-batch/pom.xml that holds Spark's Java 17 flags. */
    public static final String MODULE_OPTIONS_PROPERTY = "spark.java.module.options";
    /** The master the job runs on: the job never sets one itself, as under {@code spark-submit}. */
    public static final String MASTER = "local[2]";

    private final ModuleBuild build;
    private final List<String> moduleOptions;

    public SparkEngine(ModuleBuild build, List<String> moduleOptions) {
        this.build = build;
        this.moduleOptions = List.copyOf(moduleOptions);
    }

    /** The engine built in {@code layout}; throws naming the build to run when it is not built. */
    public static SparkEngine of(ProjectLayout layout) {
        ModuleBuild build = layout.build(MODULE);
        return new SparkEngine(build, moduleOptions(layout.moduleDir(MODULE).resolve("pom.xml")));
    }

    @Override
    public String name() {
        return "spark";
    }

    /**
     * The job on {@value #MASTER} with the Spark UI off (nothing looks at it, and it would compete for port 4040
     * with other local sessions); {@code --retries 0}, so an unreachable source fails the run at once instead of
     * retrying for minutes.
     */
    @Override
    public List<String> command(Path pipelineConfig) {
        List<String> command = new ArrayList<>();
        command.add(EngineRunner.javaExecutable());
        command.addAll(moduleOptions);
        command.addAll(List.of("-Dspark.master=" + MASTER, "-Dspark.ui.enabled=false", "-cp", build.classpath(),
                MAIN_CLASS, "--config", pipelineConfig.toAbsolutePath().toString(), "--retries", "0"));
        return command;
    }

    /**
     * The micro-batch job as {@code bronze-cdc batch} runs it: on {@value #MASTER} with the UI off, {@code options}
     * passed on ({@code --every}, {@code --retries}, ...).
     */
    public List<String> batchCommand(Path pipelineConfig, List<String> options) {
        List<String> command = new ArrayList<>();
        command.add(EngineRunner.javaExecutable());
        command.addAll(moduleOptions);
        command.addAll(List.of("-Dspark.master=" + MASTER, "-Dspark.ui.enabled=false", EngineRunner.parentWatch(),
                "-cp", build.classpath(), MAIN_CLASS, "--config", pipelineConfig.toAbsolutePath().toString()));
        command.addAll(options);
        return command;
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("SPARK_LOCAL_IP", "127.0.0.1");
    }

    /** Spark's Java 17 flags from {@code pom}'s {@value #MODULE_OPTIONS_PROPERTY} property, one flag per entry. */
    static List<String> moduleOptions(Path pom) {
        String value;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element root = factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
            value = propertyOf(root);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + pom + " for Spark's Java 17 flags", e);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException(pom + " is not a readable pom (" + e.getMessage() + "): it should hold"
                    + " Spark's Java 17 flags in property " + MODULE_OPTIONS_PROPERTY, e);
        }
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(pom + " has no property " + MODULE_OPTIONS_PROPERTY + " (Spark's Java 17"
                    + " flags, the list of org.apache.spark.launcher.JavaModuleOptions): the Spark engine cannot"
                    + " start without it");
        }
        return Arrays.stream(value.strip().split("\\s+")).toList();
    }

    private static String propertyOf(Element project) {
        NodeList children = project.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element properties && properties.getTagName().equals("properties")) {
                NodeList values = properties.getElementsByTagName(MODULE_OPTIONS_PROPERTY);
                return values.getLength() == 0 ? null : values.item(0).getTextContent();
            }
        }
        return null;
    }
}
