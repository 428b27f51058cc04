package dev.headstart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.config.ConfigLoader;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.headroom.ClusterSize;
import dev.headstart.controller.headroom.HeadroomParams;
import dev.headstart.controller.headroom.HeadroomPlan;
import dev.headstart.controller.headroom.HeadroomSettings;
import dev.headstart.controller.headroom.InvalidHeadroomParamsException;
import dev.headstart.controller.headroom.NodeCensus;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code headstart headroom ...}: the headroom sizing, offline or against a live cluster. */
@Command(name = "headroom", mixinStandardHelpOptions = true,
        description = "Headroom (pause pods that keep spare capacity warm).",
        subcommands = {HeadroomCommand.Plan.class})
public class HeadroomCommand {

    /** {@code headstart headroom plan}: how many headroom pods a cluster gets, and why. */
    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = {"Prints how many headroom pods the controller would run.",
                    "With --nodes/--cores it needs no cluster; without them it counts the nodes of the cluster in "
                            + "the current kubeconfig exactly as the controller does."})
    public static class Plan implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--nodes", description = "Nodes that count (schedulable, Ready, not warming).")
        Integer nodes;

        @Option(names = "--cores", description = "Their allocatable CPU cores, summed.")
        Long cores;

        @Option(names = "--params", description = "Parameters as JSON: {\"linear\": {...}} or {\"ladder\": {...}}.")
        String params;

        @Option(names = "--params-file", description = "Read the parameters from this file.")
        Path paramsFile;

        @Option(names = {"-o", "--output"}, description = "text (default) or json (one JSON object, last line).",
                defaultValue = "text")
        String output;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!output.equals("text") && !output.equals("json")) {
                err.println("headstart: -o must be text or json");
                return 2;
            }
            if (nodes != null && nodes < 0 || cores != null && cores < 0) {
                err.println("headstart: --nodes and --cores must not be negative");
                return 2;
            }
            if (params != null && paramsFile != null) {
                err.println("headstart: give --params or --params-file, not both");
                return 2;
            }
            HeadstartConfig config;
            HeadroomSettings settings;
            try {
                config = ConfigLoader.load();
                settings = HeadroomSettings.from(config);
            } catch (RuntimeException e) {
                err.println("headstart: invalid configuration: " + oneLine(e));
                return 2;
            }
            String text;
            try {
                text = params != null ? params : paramsFile != null ? Files.readString(paramsFile) : null;
            } catch (IOException e) {
                err.println("headstart: cannot read " + paramsFile + ": " + oneLine(e));
                return 2;
            }
            boolean offline = nodes != null || cores != null;
            String source = params != null ? "--params" : paramsFile != null ? paramsFile.toString() : null;
            ClusterSize size;
            NodeCensus.Tally tally = null;
            if (offline) {
                size = ClusterSize.ofCores(nodes == null ? 0 : nodes, cores == null ? 0 : cores);
            } else {
                try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                    tally = settings.census().count(client.nodes().list().getItems());
                    if (text == null) {
                        ConfigMap configMap = client.configMaps().inNamespace(settings.namespace())
                                .withName(settings.paramsConfigMap()).get();
                        if (configMap != null && configMap.getData() != null
                                && configMap.getData().get(settings.paramsKey()) != null) {
                            text = configMap.getData().get(settings.paramsKey());
                            source = "ConfigMap " + settings.namespace() + "/" + settings.paramsConfigMap();
                        }
                    }
                } catch (KubernetesClientException e) {
                    err.println("headstart: cannot read the cluster (give --nodes and --cores to plan offline): "
                            + oneLine(e));
                    return 1;
                }
                size = null;
            }
            if (text == null) {
                text = settings.defaultParams();
                source = "default (headstart.headroom.default-params)";
            }
            HeadroomParams parsed;
            try {
                parsed = HeadroomParams.parse(text);
            } catch (InvalidHeadroomParamsException e) {
                err.println("headstart: invalid headroom params: " + e.getMessage());
                return 2;
            }
            if (size == null) {
                size = tally.size(parsed.includeUnschedulableNodes());
            }
            HeadroomPlan plan = HeadroomPlan.of(size, parsed);
            out.println("params:     " + source);
            out.println(plan.describe());
            if (output.equals("json")) {
                ObjectNode json = Json.MAPPER.createObjectNode();
                json.put("replicas", plan.replicas());
                json.put("nodes", plan.nodes());
                json.put("cores", plan.cores());
                json.put("mode", plan.mode());
                json.put("fromCores", plan.fromCores());
                json.put("fromNodes", plan.fromNodes());
                json.put("source", offline ? "arguments" : "cluster");
                out.println(json);
            }
            out.flush();
            return 0;
        }

        /** The exception's message and its root cause's (a client error says little without it). */
        private static String oneLine(Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (root != e) {
                message += " (" + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()) + ")";
            }
            return message.replaceAll("\\s+", " ");
        }
    }
}
