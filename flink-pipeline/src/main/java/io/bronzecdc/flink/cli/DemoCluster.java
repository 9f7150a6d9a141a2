package io.bronzecdc.flink.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * The demo's Flink: a local MiniCluster running one job, which the demo starts and, on {@link #close()}, stops
 * completely before the embedded server goes.
 *
 * <p>Why not {@code env.executeAsync()}: its cluster shuts down in the background once the job ends, and the
 * caller cannot wait for that. A source's split enumerator may then still be connecting to PostgreSQL (to create
 * its slot) when the server stops, which Flink logs as an ERROR ({@code database system is shutting down}).
 * {@link MiniCluster#close()} returns only when the job master and its coordinators are down.
 */
final class DemoCluster implements AutoCloseable {
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private final MiniCluster cluster;
    private final JobClient job;

    private DemoCluster(MiniCluster cluster, JobClient job) {
        this.cluster = cluster;
        this.job = job;
    }

    /** Starts a one-slot cluster with {@code config} and submits the job {@code env} describes. */
    static DemoCluster submit(StreamExecutionEnvironment env, Configuration config, String jobName) throws Exception {
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(config)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(env.getParallelism()).withRandomPorts().build());
        try {
            cluster.start();
            StreamGraph graph = env.getStreamGraph();
            graph.setJobName(jobName);
            JobGraph jobGraph = graph.getJobGraph();
            JobID id = cluster.submitJob(jobGraph).get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS).getJobID();
            return new DemoCluster(cluster, new MiniClusterJobClient(id, cluster, DemoCluster.class.getClassLoader(),
                    MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    JobClient job() {
        return job;
    }

    /** Whether the job ended (finished, failed or cancelled). */
    boolean jobEnded() {
        return job.getJobExecutionResult().isDone();
    }

    /** Cancels the job unless it already ended, and waits until it did. */
    void cancelJob() throws Exception {
        CompletableFuture<Void> ended = job.getJobExecutionResult().handle((result, failure) -> null);
        if (ended.isDone()) {
            return;
        }
        try {
            job.cancel().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException alreadyEnded) {
            // the job finished or failed between the check and the cancel; the wait below sees it end
        }
        ended.get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Cancels the job and shuts the cluster down; returns when no Flink thread uses the source any more. */
    @Override
    public void close() throws Exception {
        try {
            cancelJob();
        } finally {
            cluster.close();
        }
    }
}
