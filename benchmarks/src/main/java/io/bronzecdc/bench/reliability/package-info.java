/**
 * The reliability suite ({@code bronze-cdc bench --reliability}): faults injected into both engines under a seeded
 * workload whose every commit is recorded, and each run's bronze checked against that record change by change.
 */
package io.bronzecdc.bench.reliability;
