package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.headstart.cluster.LabelSelector;
import dev.headstart.config.HeadstartConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * charts/headstart with real Helm (helm-java: Helm's Go library in-process): helm lint, and helm
 * template with default values against the kustomize install object by object, then each value
 * against what it says it renders, and the schema against bad values.
 */
class HelmChartTest {

    private static final String NS = HelmChart.NAMESPACE;

    // ---------------------------------------------------------------- lint, and the default install

    @Test
    void helmLintPassesStrict() {
        LintResult lint = new Helm(ChartSources.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(lint.getMessages().toString()).isFalse();
        assertThat(lint.getMessages()).as("only INFO remarks").allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
    }

    @Test
    void defaultValuesRenderWhatKustomizeRendersObjectByObject() {
        ManifestSet chart = HelmChart.render(Map.of());
        ManifestSet kustomize = kustomize(ManifestSet.MANIFESTS);
        Map<String, JsonNode> expected = byKey(kustomize.objects().stream()
                .filter(o -> !o.path("kind").asText().equals("CustomResourceDefinition")).toList());
        // Hooks are not installed with the release (helm template renders them): the report purge's,
        // run on uninstall, is held by theReportPurgeHookRunsOnUninstallWithExactlyItsRbac.
        Map<String, JsonNode> actual = byKey(HelmChart.installed(chart));
        // The one object the chart adds: the self-signed serving pair (make deploy makes it with kubectl).
        assertThat(actual.remove("Secret/" + NS + "/headstart-tls")).isNotNull();
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, object) -> assertThat(HelmChart.normalised(actual.get(key))).as(key).isEqualTo(object));
        // Every object carries the release labels Helm's tooling reads.
        for (JsonNode object : chart.objects()) {
            assertThat(labels(object.path("metadata"))).as(HelmChart.key(object))
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("app.kubernetes.io/instance", HelmChart.RELEASE)
                    .containsKey("helm.sh/chart");
        }
        // ...but never on the selector or the pod template (immutable, and the webhooks' objectSelector reads them).
        JsonNode deployment = chart.one("Deployment", "headstart");
        assertThat(deployment.at("/spec/template/metadata/labels")).isEqualTo(kustomize.one("Deployment", "headstart").at("/spec/template/metadata/labels"));
    }

    @Test
    void theCrdsAreManifestsCrdsUnderCrdsSoHelmSkipCrdsLeavesThemOut() throws IOException {
        ManifestSet chartCrds = ManifestSet.files(ChartSources.CHART.resolve("crds"));
        ManifestSet manifestCrds = ManifestSet.files(ManifestSet.MANIFESTS.resolve("crds"));
        assertThat(chartCrds.objects()).isNotEmpty().isEqualTo(manifestCrds.objects());
        // helm template (as helm install --skip-crds) renders no CRD: they come only from crds/.
        assertThat(HelmChart.render(Map.of()).ofKind("CustomResourceDefinition")).isEmpty();
        try (var templates = Files.list(ChartSources.CHART.resolve("templates"))) {
            for (Path template : templates.toList()) {
                assertThat(Files.readString(template)).as(template.toString()).doesNotContain("CustomResourceDefinition");
            }
        }
    }

    @Test
    void theDefaultRenderingUsesOnlyFieldsTheKubernetesApiKnows() {
        List<String> unknown = new ArrayList<>();
        for (JsonNode object : HelmChart.render(Map.of()).objects()) {
            UnknownFields.in(object).forEach(f -> unknown.add(f + " in " + HelmChart.key(object)));
        }
        assertThat(unknown).isEmpty();
    }

    // ---------------------------------------------------------------- certificates

    @Test
    void selfSignedModeWritesASecretWhoseCertificateEveryWebhookTrusts() throws Exception {
        ManifestSet chart = HelmChart.render(Map.of());
        JsonNode secret = chart.one("Secret", "headstart-tls");
        assertThat(secret.path("type").asText()).isEqualTo("kubernetes.io/tls");
        X509Certificate ca = certificate(secret.at("/data/ca.crt").asText());
        X509Certificate serving = certificate(secret.at("/data/tls.crt").asText());
        serving.verify(ca.getPublicKey());
        serving.checkValidity();
        assertThat(serving.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
                .contains("headstart." + NS + ".svc", "headstart." + NS + ".svc.cluster.local");
        assertThat(new String(Base64.getDecoder().decode(secret.at("/data/tls.key").asText()))).contains("PRIVATE KEY");
        for (JsonNode webhook : webhooks(chart)) {
            assertThat(webhook.at("/clientConfig/caBundle").asText()).as(webhook.path("name").asText())
                    .isEqualTo(secret.at("/data/ca.crt").asText());
        }
        assertThat(Duration.between(serving.getNotBefore().toInstant(), serving.getNotAfter().toInstant()).toDays()).isEqualTo(3650);
        X509Certificate shortLived = certificate(HelmChart.render(Map.of("certificates", Map.of("selfSigned", Map.of("validityDays", 30))))
                .one("Secret", "headstart-tls").at("/data/tls.crt").asText());
        assertThat(Duration.between(shortLived.getNotBefore().toInstant(), shortLived.getNotAfter().toInstant()).toDays()).isEqualTo(30);
        // The Deployment mounts exactly this Secret (manifests/base's volume).
        assertThat(chart.one("Deployment", "headstart").at("/spec/template/spec/volumes").findValuesAsText("secretName"))
                .containsExactly("headstart-tls");
    }

    @Test
    void certManagerModeRendersWhatTheCertManagerOverlayRenders() {
        ManifestSet chart = HelmChart.render(Map.of("certificates", Map.of("mode", "certManager")));
        ManifestSet overlay = kustomize(ManifestSet.MANIFESTS.resolve("overlays/cert-manager"));
        Map<String, JsonNode> expected = byKey(overlay.objects().stream()
                .filter(o -> !o.path("kind").asText().equals("CustomResourceDefinition")).toList());
        Map<String, JsonNode> actual = byKey(HelmChart.installed(chart));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, object) -> assertThat(HelmChart.normalised(actual.get(key))).as(key).isEqualTo(object));
        assertThat(chart.ofKind("Secret")).isEmpty();
        for (JsonNode webhook : webhooks(chart)) {
            assertThat(webhook.path("clientConfig").has("caBundle")).isFalse();
        }
    }

    @Test
    void secretModeWritesNoSecretAndTrustsTheGivenCa() {
        ManifestSet given = HelmChart.render(Map.of("certificates", Map.of("mode", "secret", "caBundle", "Q0EgYnVuZGxl")));
        assertThat(given.ofKind("Secret")).isEmpty();
        assertThat(webhooks(given)).hasSize(webhooks(HelmChart.render(Map.of())).size()).isNotEmpty().allSatisfy(w -> assertThat(w.at("/clientConfig/caBundle").asText()).isEqualTo("Q0EgYnVuZGxl"));
        ManifestSet injected = HelmChart.render(Map.of("certificates", Map.of("mode", "secret")));
        assertThat(webhooks(injected)).allSatisfy(w -> assertThat(w.path("clientConfig").has("caBundle")).isFalse());
        // ...which is then exactly `kubectl apply -k manifests/` (less the CRDs).
        Map<String, JsonNode> expected = byKey(kustomize(ManifestSet.MANIFESTS).objects().stream()
                .filter(o -> !o.path("kind").asText().equals("CustomResourceDefinition")).toList());
        Map<String, JsonNode> actual = byKey(HelmChart.installed(injected));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, object) -> assertThat(HelmChart.normalised(actual.get(key))).as(key).isEqualTo(object));
    }

    // ---------------------------------------------------------------- workload values

    @Test
    void imageRepositoryTagAndDigestApplyToBothContainers() {
        assertThat(images(HelmChart.render(Map.of()))).containsOnly("ghcr.io/headstart-dev/headstart:" + ChartSources.baseImageTag());
        assertThat(images(HelmChart.render(Map.of("image", Map.of("repository", "registry.example.com:5000/mirror/headstart")))))
                .containsOnly("registry.example.com:5000/mirror/headstart:" + ChartSources.baseImageTag());
        assertThat(images(HelmChart.render(Map.of("image", Map.of("tag", "0.2.0"))))).containsOnly("ghcr.io/headstart-dev/headstart:0.2.0");
        String digest = "sha256:" + "ab".repeat(32);
        assertThat(images(HelmChart.render(Map.of("image", Map.of("tag", "0.2.0", "digest", digest)))))
                .containsOnly("ghcr.io/headstart-dev/headstart@" + digest);
        JsonNode pod = HelmChart.render(Map.of("image", Map.of("pullPolicy", "Always"))).one("Deployment", "headstart").at("/spec/template/spec");
        assertThat(pod.path("containers").findValuesAsText("imagePullPolicy")).containsExactly("Always", "Always");
    }

    @Test
    void replicasResourcesAndJavaOptionsArePerContainer() {
        Map<String, Object> values = Map.of(
                "replicas", 3,
                "webhook", Map.of("resources", Map.of("requests", Map.of("cpu", "200m", "memory", "512Mi"), "limits", Map.of("memory", "768Mi")),
                        "javaOpts", "-XX:+UseSerialGC -XX:MaxRAMPercentage=40"),
                "controller", Map.of("javaOpts", "-Xms300m -Xmx300m"),
                "nodeSelector", Map.of("kubernetes.io/os", "linux"),
                "tolerations", List.of(Map.of("key", "dedicated", "operator", "Equal", "value", "system", "effect", "NoSchedule")));
        ManifestSet chart = HelmChart.render(values);
        ManifestSet base = kustomize(ManifestSet.MANIFESTS.resolve("base"));
        JsonNode deployment = chart.one("Deployment", "headstart");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
        Map<String, JsonNode> containers = containers(deployment);
        Map<String, JsonNode> baseContainers = containers(base.one("Deployment", "headstart"));
        assertThat(containers.get("webhook").at("/resources/requests/cpu").asText()).isEqualTo("200m");
        assertThat(containers.get("webhook").at("/resources/limits/memory").asText()).isEqualTo("768Mi");
        assertThat(containers.get("controller").path("resources")).isEqualTo(baseContainers.get("controller").path("resources"));
        assertThat(env(containers.get("webhook")).get("JAVA_OPTS")).isEqualTo("-XX:+UseSerialGC -XX:MaxRAMPercentage=40");
        assertThat(env(containers.get("controller")).get("JAVA_OPTS")).isEqualTo("-Xms300m -Xmx300m");
        assertThat(env(containers.get("controller"))).containsEntry("MALLOC_ARENA_MAX", "2");
        assertThat(deployment.at("/spec/template/spec/nodeSelector/kubernetes.io~1os").asText()).isEqualTo("linux");
        assertThat(deployment.at("/spec/template/spec/tolerations/0/value").asText()).isEqualTo("system");
    }

    @Test
    void theWarmPoolRoleBecomesTheIrsaAnnotationOfTheServiceAccount() {
        String role = "arn:aws:iam::123456789012:role/headstart-warm-pool";
        JsonNode account = HelmChart.render(Map.of("aws", Map.of("roleArn", role), "serviceAccount", Map.of("annotations", Map.of("team", "platform"))))
                .one("ServiceAccount", "headstart");
        assertThat(account.at("/metadata/annotations/eks.amazonaws.com~1role-arn").asText()).isEqualTo(role);
        assertThat(account.at("/metadata/annotations/team").asText()).isEqualTo("platform");
        assertThat(HelmChart.render(Map.of()).one("ServiceAccount", "headstart").at("/metadata/annotations").isMissingNode()).isTrue();
    }

    @Test
    void namespaceCreateFalseLeavesTheNamespaceToWhoeverMadeIt() {
        ManifestSet chart = HelmChart.render(Map.of("namespace", Map.of("create", false)));
        assertThat(chart.ofKind("Namespace")).isEmpty();
        assertThat(chart.one("Deployment", "headstart").at("/metadata/namespace").asText()).isEqualTo(NS);
    }

    // ---------------------------------------------------------------- headstart.* settings

    @Test
    void headstartSettingsAreWhatTheJarReads() throws IOException {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("pull-policy", Map.of("mode", "all", "always-pull-images-recheck", "15m"));
        settings.put("disabled-rules", List.of("api-wait", "pull-policy"));
        settings.put("headroom", Map.of("cpu", 2, "node-selector", Map.of("kubernetes.io/os", "linux"),
                "tolerations", List.of("dedicated=apps:NoSchedule", "spot"),
                "default-params", "{\"linear\":{\"coresPerReplica\":32,\"min\":2}}"));
        settings.put("scan", Map.of("page-size", 100, "reports-per-second", 2.5, "enabled", false));
        settings.put("priority-class", Map.of("value", 1000000));
        settings.put("warm-pool", Map.of("region", "eu-west-1"));
        ManifestSet chart = HelmChart.render(Map.of("headstart", settings));

        String file = chart.one("ConfigMap", "headstart-config").at("/data/application.properties").asText();
        HeadstartConfig config = read(file);
        assertThat(config.pullPolicy().mode()).isEqualTo("all");
        assertThat(config.pullPolicy().alwaysPullImagesRecheck()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.disabledRules()).contains(List.of("api-wait", "pull-policy"));
        assertThat(config.headroom().cpu()).isEqualTo("2");
        assertThat(config.headroom().nodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux"));
        assertThat(config.headroom().tolerations()).contains(List.of("dedicated=apps:NoSchedule", "spot"));
        assertThat(config.headroom().defaultParams()).isEqualTo("{\"linear\":{\"coresPerReplica\":32,\"min\":2}}");
        assertThat(config.scan().pageSize()).isEqualTo(100);
        assertThat(config.scan().reportsPerSecond()).isEqualTo(2.5);
        assertThat(config.scan().enabled()).isFalse();
        assertThat(config.priorityClass().value()).isEqualTo(1_000_000);
        assertThat(config.warmPool().region()).contains("eu-west-1");
        assertThat(config.warmPool().enabled()).as("untouched keys keep their defaults").isTrue();

        // Both containers read it where Quarkus looks: config/application.properties under the image's WORKDIR.
        assertThat(Files.readString(Path.of("src/main/docker/Dockerfile.jvm"))).containsPattern("(?m)^WORKDIR /deployments$");
        JsonNode deployment = chart.one("Deployment", "headstart");
        for (JsonNode container : containers(deployment).values()) {
            JsonNode mount = null;
            for (JsonNode m : container.path("volumeMounts")) {
                if (m.path("mountPath").asText().equals("/deployments/config")) {
                    mount = m;
                }
            }
            assertThat(mount).as(container.path("name") + " mounts /deployments/config").isNotNull();
            assertThat(mount.path("readOnly").asBoolean()).isTrue();
            JsonNode volume = volumes(deployment).get(mount.path("name").asText());
            assertThat(volume.at("/configMap/name").asText()).isEqualTo("headstart-config");
        }
        // A change of settings rolls the pods (Quarkus reads its configuration once, at start).
        String checksum = deployment.at("/spec/template/metadata/annotations/checksum~1config").asText();
        assertThat(checksum).hasSize(64);
        JsonNode other = HelmChart.render(Map.of("headstart", Map.of("scan", Map.of("enabled", true)))).one("Deployment", "headstart");
        assertThat(other.at("/spec/template/metadata/annotations/checksum~1config").asText()).hasSize(64).isNotEqualTo(checksum);
        // No settings: no ConfigMap, no mount (the kustomize install's pod).
        assertThat(HelmChart.render(Map.of()).ofKind("ConfigMap")).extracting(HelmChart::key).containsExactly("ConfigMap/" + NS + "/headstart-headroom");
    }

    // ---------------------------------------------------------------- webhooks

    @Test
    void namespaceSelectorNarrowsAndKeepsTheExclusionsTheCliReads() throws IOException {
        Map<String, Object> selector = Map.of(
                "matchLabels", Map.of("env", "prod"),
                "matchExpressions", List.of(Map.of("key", "kubernetes.io/metadata.name", "operator", "NotIn", "values", List.of("istio-system"))));
        ManifestSet chart = HelmChart.render(Map.of("webhooks", Map.of("namespaceSelector", selector, "failurePolicy", "Fail", "timeoutSeconds", 5)));
        // What the CLI reads (InstallScope bundles manifests/base/webhooks.yaml).
        ManifestSet cli = new ManifestSet("webhooks.yaml", ManifestSet.parse(Files.readString(ManifestSet.MANIFESTS.resolve("base/webhooks.yaml"))));
        Map<String, JsonNode> cliWebhooks = new HashMap<>();
        webhooks(cli).forEach(w -> cliWebhooks.put(w.path("name").asText(), w));
        for (JsonNode w : webhooks(chart)) {
            String name = w.path("name").asText();
            JsonNode shipped = cliWebhooks.get(name);
            assertThat(shipped).as(name).isNotNull();
            assertThat(w.path("failurePolicy").asText()).as(name).isEqualTo("Fail");
            assertThat(w.path("timeoutSeconds").asInt()).as(name).isEqualTo(5);
            assertThat(w.path("objectSelector")).as(name).isEqualTo(shipped.path("objectSelector"));
            List<JsonNode> expressions = new ArrayList<>();
            w.at("/namespaceSelector/matchExpressions").forEach(expressions::add);
            List<JsonNode> shippedExpressions = new ArrayList<>();
            shipped.at("/namespaceSelector/matchExpressions").forEach(shippedExpressions::add);
            assertThat(expressions).as(name + " keeps every shipped expression").containsAll(shippedExpressions).hasSize(shippedExpressions.size() + 1);

            JsonNode ns = w.path("namespaceSelector");
            assertThat(LabelSelector.matches(ns, nsLabels("shop", "headstart.dev/inject", "enabled", "env", "prod"))).as(name).isTrue();
            assertThat(LabelSelector.matches(ns, nsLabels("shop", "env", "prod"))).as(name + " without the opt-in label").isFalse();
            assertThat(LabelSelector.matches(ns, nsLabels("shop", "headstart.dev/inject", "enabled"))).as(name + " outside env=prod").isFalse();
            assertThat(LabelSelector.matches(ns, nsLabels("istio-system", "headstart.dev/inject", "enabled", "env", "prod"))).as(name).isFalse();
            assertThat(LabelSelector.matches(ns, nsLabels(NS, "headstart.dev/inject", "enabled", "env", "prod"))).as(name).isFalse();
            assertThat(LabelSelector.matches(ns, nsLabels("kube-system", "headstart.dev/inject", "enabled", "env", "prod")))
                    .as(name + " in kube-system").isEqualTo(name.startsWith("daemonsets."));
        }
        // Default: the selectors the CLI reads, exactly.
        for (JsonNode w : webhooks(HelmChart.render(Map.of()))) {
            JsonNode shipped = cliWebhooks.get(w.path("name").asText());
            assertThat(w.path("namespaceSelector")).isEqualTo(shipped.path("namespaceSelector"));
            assertThat(w.path("objectSelector")).isEqualTo(shipped.path("objectSelector"));
        }
    }

    // ---------------------------------------------------------------- monitoring

    @Test
    void eachMonitoringSwitchRendersItsObjectAndTogetherWhatManifestsMonitoringRenders() {
        Map<String, String> switches = Map.of("podMonitor", "PodMonitor/" + NS + "/headstart",
                "serviceMonitor", "ServiceMonitor/" + NS + "/headstart",
                "prometheusRule", "PrometheusRule/" + NS + "/headstart",
                "grafanaDashboard", "ConfigMap/" + NS + "/headstart-grafana-dashboard");
        Map<String, JsonNode> base = byKey(HelmChart.render(Map.of()).objects());
        switches.forEach((value, key) -> {
            Map<String, JsonNode> with = byKey(HelmChart.render(Map.of("monitoring", Map.of(value, Map.of("enabled", true)))).objects());
            with.keySet().removeAll(base.keySet());
            assertThat(with.keySet()).as(value).containsExactly(key);
        });

        ManifestSet all = HelmChart.render(Map.of("monitoring", Map.of("podMonitor", Map.of("enabled", true),
                "prometheusRule", Map.of("enabled", true), "grafanaDashboard", Map.of("enabled", true))));
        Map<String, JsonNode> rendered = byKey(all.objects());
        ManifestSet monitoring = kustomize(ManifestSet.MANIFESTS.resolve("monitoring"));
        for (JsonNode expected : monitoring.objects()) {
            assertThat(HelmChart.normalised(rendered.get(HelmChart.key(expected)))).as(HelmChart.key(expected)).isEqualTo(expected);
        }

        // The ServiceMonitor scrapes the PodMonitor's ports through the Service, which has ports of those names.
        JsonNode serviceMonitor = HelmChart.render(Map.of("monitoring", Map.of("serviceMonitor", Map.of("enabled", true))))
                .one("ServiceMonitor", "headstart");
        JsonNode podMonitor = all.one("PodMonitor", "headstart");
        assertThat(serviceMonitor.at("/spec/endpoints")).isEqualTo(podMonitor.at("/spec/podMetricsEndpoints"));
        assertThat(serviceMonitor.at("/spec/selector")).isEqualTo(podMonitor.at("/spec/selector"));
        List<String> servicePorts = all.one("Service", "headstart").at("/spec/ports").findValuesAsText("name");
        assertThat(serviceMonitor.at("/spec/endpoints").findValuesAsText("port")).isNotEmpty().allSatisfy(p -> assertThat(servicePorts).contains(p));
        assertThat(labels(all.one("Service", "headstart").path("metadata")))
                .containsAllEntriesOf(textMap(serviceMonitor.at("/spec/selector/matchLabels")));

        assertThatThrownBy(() -> HelmChart.template(Map.of("monitoring", Map.of("podMonitor", Map.of("enabled", true),
                "serviceMonitor", Map.of("enabled", true))))).hasMessageContaining("enable podMonitor or serviceMonitor, not both");
    }

    // ---------------------------------------------------------------- uninstall

    @Test
    void theReportPurgeHookRunsOnUninstallWithExactlyItsRbac() {
        ManifestSet chart = HelmChart.render(Map.of());
        ManifestSet hooks = HelmChart.hooks(Map.of());
        String name = "headstart-report-purge";
        assertThat(chart.objects()).noneMatch(HelmChart::isHook);
        assertThat(hooks.objects().stream().map(HelmChart::key)).containsExactlyInAnyOrder(
                "ServiceAccount/" + NS + "/" + name, "ClusterRole//" + name, "ClusterRoleBinding//" + name, "Job/" + NS + "/" + name);
        for (JsonNode hook : hooks.objects()) {
            JsonNode annotations = hook.at("/metadata/annotations");
            assertThat(annotations.path("helm.sh/hook").asText()).as(HelmChart.key(hook)).isEqualTo("pre-delete");
            assertThat(annotations.path("helm.sh/hook-delete-policy").asText()).as(HelmChart.key(hook))
                    .isEqualTo("before-hook-creation,hook-succeeded");
            // the account and its grant exist before the Job starts (Helm creates hooks by ascending weight)
            int weight = Integer.parseInt(annotations.path("helm.sh/hook-weight").asText("0"));
            if (!hook.path("kind").asText().equals("Job")) {
                assertThat(weight).as(HelmChart.key(hook)).isLessThan(0);
            }
        }

        // list and delete of exactly the report resources, bound to the Job's own account
        JsonNode role = hooks.one("ClusterRole", name);
        Map<String, List<String>> grants = new TreeMap<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    grants.put(group.asText() + "/" + resource.asText(), textList(rule.path("verbs")));
                }
            }
        }
        assertThat(grants).isEqualTo(Map.of("wgpolicyk8s.io/policyreports", List.of("list", "delete"),
                "wgpolicyk8s.io/clusterpolicyreports", List.of("list", "delete"),
                "openreports.io/reports", List.of("list", "delete"), "openreports.io/clusterreports", List.of("list", "delete")));
        JsonNode binding = hooks.one("ClusterRoleBinding", name);
        assertThat(binding.at("/roleRef/name").asText()).isEqualTo(name);
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(name);
        assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(NS);
        assertThat(binding.path("subjects")).hasSize(1);

        // the Job: the jar's purge command in the chart's image, bounded, restricted like Headstart's own pods
        JsonNode job = hooks.one("Job", name);
        JsonNode pod = job.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(pod.path("containers")).hasSize(1);
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo(name);
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
        assertThat(job.at("/spec/backoffLimit").asInt(99)).isLessThanOrEqualTo(2);
        assertThat(job.at("/spec/ttlSecondsAfterFinished").isInt()).isTrue();
        assertThat(job.at("/spec/activeDeadlineSeconds").isInt()).isTrue();
        List<String> args = textList(container.path("args"));
        // what the image's entrypoint hands the jar: picocli must resolve it to the purge command
        var parsed = new picocli.CommandLine(new dev.headstart.cli.HeadstartCommand()).parseArgs(args.toArray(String[]::new));
        Object command = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1).getCommand();
        assertThat((Object) command).isInstanceOf(dev.headstart.cli.ReportsPurgeCommand.class);
        assertThat(container.has("command")).as("the image's entrypoint runs the jar").isFalse();
        JsonNode deployment = chart.one("Deployment", "headstart").at("/spec/template/spec");
        assertThat(pod.path("securityContext")).isEqualTo(deployment.path("securityContext"));
        assertThat(container.path("securityContext")).isEqualTo(deployment.at("/containers/1/securityContext"));
        assertThat(container.path("image").asText()).isEqualTo(deployment.at("/containers/0/image").asText());
        assertThat(container.at("/resources/limits/memory").isMissingNode()).isFalse();
        // not a pod of the Service, the PodDisruptionBudget or the NetworkPolicy
        Map<String, String> podLabels = textMap(job.at("/spec/template/metadata/labels"));
        for (JsonNode selector : List.of(chart.one("Service", "headstart").at("/spec/selector"),
                chart.one("PodDisruptionBudget", "headstart").at("/spec/selector/matchLabels"),
                chart.one("NetworkPolicy", "headstart").at("/spec/podSelector/matchLabels"))) {
            assertThat(podLabels).doesNotContainEntry("app.kubernetes.io/name", selector.path("app.kubernetes.io/name").asText());
        }

        // switched off: no hook at all, and the installed objects are the same
        Map<String, ?> switchedOff = Map.of("cleanup", Map.of("reportsOnUninstall", false));
        assertThat(HelmChart.hooks(switchedOff).objects()).isEmpty();
        // (by key: the self-signed Secret is a new pair each render)
        assertThat(HelmChart.render(switchedOff).objects().stream().map(HelmChart::key).toList())
                .isEqualTo(chart.objects().stream().map(HelmChart::key).toList());
        // the Job follows the values Headstart's own pods follow
        String digest = "sha256:" + "cd".repeat(32);
        JsonNode placed = HelmChart.hooks(Map.of("nodeSelector", Map.of("kubernetes.io/os", "linux"),
                "image", Map.of("repository", "registry.example.com/headstart", "digest", digest, "pullPolicy", "Always")))
                .one("Job", name).at("/spec/template/spec");
        assertThat(placed.at("/containers/0/image").asText()).isEqualTo("registry.example.com/headstart@" + digest);
        assertThat(placed.at("/nodeSelector/kubernetes.io~1os").asText()).isEqualTo("linux");
        assertThat(placed.at("/containers/0/imagePullPolicy").asText()).isEqualTo("Always");
    }

    private static List<String> textList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    // ---------------------------------------------------------------- schema

    @Test
    void theSchemaRejectsMisspeltAndMistypedValuesWithTheirPath() {
        assertRejected(Map.of("replica", 3), "replica");
        assertRejected(Map.of("replicas", "two"), "replicas");
        assertRejected(Map.of("image", Map.of("tga", "0.2.0")), "tga");
        assertRejected(Map.of("image", Map.of("tag", 1.10)), "tag");
        assertRejected(Map.of("webhooks", Map.of("failurePolicy", "Sometimes")), "failurePolicy");
        assertRejected(Map.of("certificates", Map.of("mode", "letsencrypt")), "mode");
        assertRejected(Map.of("monitoring", Map.of("podMonitor", Map.of("enabled", "yes"))), "enabled");
        assertRejected(Map.of("aws", Map.of("roleArn", "headstart-role")), "roleArn");
        assertRejected(Map.of("cleanup", Map.of("reportsOnUninstall", "yes")), "reportsOnUninstall");
        // headstart.*: the keys and types of HeadstartConfig.
        assertRejected(Map.of("headstart", Map.of("pull-policy", Map.of("mdoe", "all"))), "mdoe");
        assertRejected(Map.of("headstart", Map.of("scan", Map.of("page-size", "lots"))), "page-size");
        assertRejected(Map.of("headstart", Map.of("warm-pool", Map.of("enabled", "sometimes"))), "enabled");
        assertRejected(Map.of("headstart", Map.of("role", "controller")), "role");
        // ...and what the schema allows renders.
        assertThat(HelmChart.render(Map.of("headstart", Map.of("scan", Map.of("interval", "2h"), "disabled-rules", "api-wait")))
                .one("ConfigMap", "headstart-config").at("/data/application.properties").asText())
                .contains("headstart.scan.interval=2h").contains("headstart.disabled-rules=api-wait");
    }

    private static void assertRejected(Map<String, ?> values, String path) {
        assertThatThrownBy(() -> HelmChart.template(values)).as(values.toString())
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(path);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The kustomize rendering where kubectl is installed. Without it, base and manifests/ (crds +
     * base) are their files, which kustomize renders unchanged (no transformer in either); the
     * monitoring generator and the cert-manager patches need kustomize itself.
     */
    static ManifestSet kustomize(Path dir) {
        return ManifestSet.rendered(dir).orElseGet(() -> {
            if (dir.equals(ManifestSet.MANIFESTS)) {
                List<JsonNode> objects = new ArrayList<>(ManifestSet.files(dir.resolve("crds")).objects());
                objects.addAll(ManifestSet.files(dir.resolve("base")).objects());
                return new ManifestSet("files of manifests/crds and manifests/base", objects);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(dir.endsWith("base"), "missing tool: kubectl (or kustomize; README, Quick start)");
            return ManifestSet.files(dir);
        });
    }

    static Map<String, JsonNode> byKey(List<JsonNode> objects) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode o : objects) {
            assertThat(out.put(HelmChart.key(o), o)).as("two objects " + HelmChart.key(o)).isNull();
        }
        return out;
    }

    private static List<JsonNode> webhooks(ManifestSet set) {
        List<JsonNode> all = new ArrayList<>();
        set.one("MutatingWebhookConfiguration", "headstart").path("webhooks").forEach(all::add);
        set.one("ValidatingWebhookConfiguration", "headstart").path("webhooks").forEach(all::add);
        return all;
    }

    private static List<String> images(ManifestSet set) {
        return set.one("Deployment", "headstart").at("/spec/template/spec/containers").findValuesAsText("image");
    }

    private static Map<String, JsonNode> containers(JsonNode deployment) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        deployment.at("/spec/template/spec/containers").forEach(c -> out.put(c.path("name").asText(), c));
        return out;
    }

    private static Map<String, JsonNode> volumes(JsonNode deployment) {
        Map<String, JsonNode> out = new HashMap<>();
        deployment.at("/spec/template/spec/volumes").forEach(v -> out.put(v.path("name").asText(), v));
        return out;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> out = new HashMap<>();
        container.path("env").forEach(e -> out.put(e.path("name").asText(), e.path("value").asText(null)));
        return out;
    }

    private static Map<String, String> labels(JsonNode metadata) {
        return textMap(metadata.path("labels"));
    }

    private static Map<String, String> textMap(JsonNode object) {
        Map<String, String> out = new HashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Map<String, String> nsLabels(String name, String... pairs) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        out.put("kubernetes.io/metadata.name", name);
        return out;
    }

    private static X509Certificate certificate(String base64Pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
    }

    /** The settings file as the jar reads it: SmallRye Config with the HeadstartConfig mapping (unknown keys fail). */
    private static HeadstartConfig read(String applicationProperties) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(applicationProperties));
        Map<String, String> map = properties.stringPropertyNames().stream().collect(Collectors.toMap(k -> k, properties::getProperty));
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withMapping(HeadstartConfig.class)
                .withSources(new PropertiesConfigSource(map, "config/application.properties", 260))
                .build();
        return config.getConfigMapping(HeadstartConfig.class);
    }
}
