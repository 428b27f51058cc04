package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static dev.headstart.rules.RuleTesting.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * cpu-boost at admission: per QoS class, per limit form, init and sidecar containers, opt-in and
 * opt-out, and through a model of LimitRanger and the quota evaluator ({@link CpuAdmissionChain}):
 * a pod the chain admits without the webhook is admitted with it.
 */
class CpuBoostRuleTest {

    private static final CpuBoostSettings REMOVE = CpuBoostSettings.on(CpuBoostMode.REMOVE, "4", null);
    private static final CpuBoostSettings TIMES4 = CpuBoostSettings.on(CpuBoostMode.MULTIPLY, "4", null);
    private static final CpuBoostSettings TO3 = CpuBoostSettings.on(CpuBoostMode.VALUE, "4", "3");

    /** Facts as the webhook's caches would give them. */
    record Facts(boolean ready, String resizeReason, String label, List<CpuLimitRange> ranges, List<CpuQuota> quotas)
            implements CpuBoostFacts {
        static Facts optedIn() {
            return new Facts(true, null, "enabled", List.of(), List.of());
        }

        Facts with(List<CpuLimitRange> r, List<CpuQuota> q) {
            return new Facts(ready, resizeReason, label, r, q);
        }

        @Override
        public Optional<String> resizeUnavailable() {
            return Optional.ofNullable(resizeReason);
        }

        @Override
        public Optional<String> namespaceLabel(String namespace, String key) {
            return key.equals(CpuBoostRule.OPT_IN) ? Optional.ofNullable(label) : Optional.empty();
        }

        @Override
        public List<CpuLimitRange> limitRanges(String namespace) {
            return ranges;
        }

        @Override
        public List<CpuQuota> quotas(String namespace) {
            return quotas;
        }
    }

    static ObjectNode pod(String spec) {
        return json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'ns'},'spec':" + spec + "}");
    }

    static String app(String resources) {
        return "{'containers':[{'name':'app','image':'a','resources':" + resources + "}]}";
    }

    static Mutation run(CpuBoostSettings settings, CpuBoostFacts facts, ObjectNode pod) {
        return new RuleEngine(List.of(new CpuBoostRule(settings, facts)), Set.of()).mutate(Workload.of(pod).orElseThrow());
    }

    static String cpuLimit(Mutation m, String field, int i) {
        return m.mutated().path("spec").path(field).path(i).path("resources").path("limits").path("cpu").asText(null);
    }

    @ParameterizedTest(name = "limit {0}, multiply 4 -> {1}; remove -> none")
    @CsvSource({"500m,2", "0.5,2", "2,8", "1500m,6"})
    void liftsEachLimitFormAndRecordsTheOriginalAsWritten(String limit, String times4) {
        String spec = app("{'requests':{'cpu':'100m','memory':'64Mi'},'limits':{'cpu':'" + limit + "','memory':'128Mi'}}");
        Mutation multiplied = run(TIMES4, Facts.optedIn(), pod(spec));
        assertThat(cpuLimit(multiplied, "containers", 0)).isEqualTo(times4);
        assertThat(multiplied.mutated().at("/metadata/annotations").path(CpuBoostRecord.ANNOTATION).asText())
                .isEqualTo("app=" + limit);
        assertThat(multiplied.mutated().at("/metadata/labels").path(CpuBoostRecord.LABEL).asText()).isEqualTo("true");
        // the raised value too, for a re-boost after a restart: what admission (LimitRange, quota) accepted
        assertThat(multiplied.mutated().at("/metadata/annotations").path(CpuBoostRecord.BOOSTED_ANNOTATION).asText())
                .isEqualTo("app=" + times4);
        assertThat(multiplied.mutated().at("/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("100m");
        assertThat(multiplied.mutated().at("/spec/containers/0/resources/limits/memory").asText()).isEqualTo("128Mi");

        Mutation removed = run(REMOVE, Facts.optedIn(), pod(spec));
        assertThat(cpuLimit(removed, "containers", 0)).isNull();
        // a removed limit cannot be re-boosted by resize: nothing recorded for it
        assertThat(removed.mutated().at("/metadata/annotations").has(CpuBoostRecord.BOOSTED_ANNOTATION)).isFalse();
        assertThat(removed.mutated().at("/spec/containers/0/resources/limits/memory").asText()).isEqualTo("128Mi");
        assertThat(removed.mutated().at("/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("100m");
    }

    @Test
    void containerWithoutCpuLimitIsLeftAlone() {
        Mutation m = run(TIMES4, Facts.optedIn(), pod(app("{'requests':{'cpu':'100m'},'limits':{'memory':'1Gi'}}")));
        assertThat(m.changed()).isFalse();
        assertThat(m.warnings()).isEmpty();
    }

    @Test
    void valueModeSetsTheValueOnlyWhereItIsAboveTheOwnLimit() {
        ObjectNode p = pod("{'containers':[{'name':'a','resources':{'requests':{'cpu':'1'},'limits':{'cpu':'1'}}},"
                + "{'name':'b','resources':{'requests':{'cpu':'1'},'limits':{'cpu':'4'}}}]}");
        Mutation m = run(TO3, Facts.optedIn(), p);
        assertThat(cpuLimit(m, "containers", 0)).isEqualTo("3");
        assertThat(cpuLimit(m, "containers", 1)).isEqualTo("4");
        assertThat(m.mutated().at("/metadata/annotations").path(CpuBoostRecord.ANNOTATION).asText()).isEqualTo("a=1");
    }

    // --- QoS ---

    @Test
    void guaranteedPodIsLeftAlone() {
        // Resize may not change the QoS class: the revert of a Guaranteed pod made Burstable would be refused.
        ObjectNode p = pod(app("{'requests':{'cpu':'1','memory':'1Gi'},'limits':{'cpu':'1000m','memory':'1Gi'}}"));
        assertThat(run(REMOVE, Facts.optedIn(), p).changed()).isFalse();
        ObjectNode limitsOnly = pod(app("{'limits':{'cpu':'1','memory':'1Gi'}}")); // requests default to limits
        assertThat(run(REMOVE, Facts.optedIn(), limitsOnly).changed()).isFalse();
    }

    @Test
    void burstablePodIsBoostedAndStaysBurstable() {
        ObjectNode p = pod(app("{'requests':{'cpu':'250m','memory':'1Gi'},'limits':{'cpu':'500m','memory':'1Gi'}}"));
        Mutation m = run(REMOVE, Facts.optedIn(), p);
        assertThat(m.changed()).isTrue();
        assertThat(Qos.guaranteed(Workload.of(m.mutated()).orElseThrow())).isFalse();
        assertThat(m.mutated().at("/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("250m");
    }

    @Test
    void bestEffortPodHasNothingToBoost() {
        assertThat(run(REMOVE, Facts.optedIn(), pod(app("{}"))).changed()).isFalse();
    }

    @Test
    void aMissingRequestIsPinnedToTheOriginalLimitAsDefaultingWouldHave() {
        // Offline (the CLI) the API server has not defaulted the request yet: without the pin it
        // would default to the boosted limit, and the scheduler would see another pod.
        ObjectNode p = pod(app("{'limits':{'cpu':'500m'}}"));
        Mutation m = run(TIMES4, Facts.optedIn(), p);
        assertThat(m.mutated().at("/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("500m");
        assertThat(cpuLimit(m, "containers", 0)).isEqualTo("2");
    }

    // --- containers of every sort ---

    @Test
    void nativeSidecarIsBoostedOrdinaryInitContainerIsNot() {
        ObjectNode p = pod("{'initContainers':["
                + "{'name':'migrate','resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'500m'}}},"
                + "{'name':'proxy','restartPolicy':'Always','resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'200m'}}}],"
                + "'containers':[{'name':'app','resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}}]}");
        Mutation m = run(TIMES4, Facts.optedIn(), p);
        assertThat(cpuLimit(m, "initContainers", 0)).isEqualTo("500m"); // cannot be resized back
        assertThat(cpuLimit(m, "initContainers", 1)).isEqualTo("800m");
        assertThat(cpuLimit(m, "containers", 0)).isEqualTo("4");
        assertThat(m.mutated().at("/metadata/annotations").path(CpuBoostRecord.ANNOTATION).asText())
                .isEqualTo("app=1,proxy=200m");
    }

    @Test
    void containerWhoseCpuResizeRestartsItIsNotBoosted() {
        ObjectNode p = pod("{'containers':["
                + "{'name':'a','resizePolicy':[{'resourceName':'cpu','restartPolicy':'RestartContainer'}],"
                + "'resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}},"
                + "{'name':'b','resizePolicy':[{'resourceName':'cpu','restartPolicy':'NotRequired'},"
                + "{'resourceName':'memory','restartPolicy':'RestartContainer'}],"
                + "'resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}}]}");
        Mutation m = run(TIMES4, Facts.optedIn(), p);
        assertThat(cpuLimit(m, "containers", 0)).isEqualTo("1");
        assertThat(cpuLimit(m, "containers", 1)).isEqualTo("4");
    }

    // --- opt-in, opt-out, gates ---

    @Test
    void offUnlessEnabledAndOptedIn() {
        String spec = app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}");
        assertThat(run(CpuBoostSettings.OFF, Facts.optedIn(), pod(spec)).changed()).isFalse();
        Facts unlabelled = new Facts(true, null, null, List.of(), List.of());
        assertThat(run(TIMES4, unlabelled, pod(spec)).changed()).isFalse();
        ObjectNode annotated = pod(spec);
        annotated.with("metadata").putObject("annotations").put(CpuBoostRule.OPT_IN, "enabled");
        assertThat(run(TIMES4, unlabelled, annotated).changed()).isTrue();
    }

    @Test
    void podOptsOutByAnnotationOrSkipList() {
        String spec = app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}");
        ObjectNode disabled = pod(spec);
        disabled.with("metadata").putObject("annotations").put(CpuBoostRule.OPT_IN, "disabled");
        assertThat(run(TIMES4, Facts.optedIn(), disabled).changed()).isFalse();
        ObjectNode skipped = pod(spec);
        skipped.with("metadata").putObject("annotations").put(Annotations.SKIP, "cpu-boost");
        assertThat(run(TIMES4, Facts.optedIn(), skipped).changed()).isFalse();
    }

    @Test
    void daemonSetPodsAndWorkloadTemplatesAreNeverBoosted() {
        ObjectNode p = pod(app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}"));
        p.with("metadata").putArray("ownerReferences").addObject().put("kind", "DaemonSet").put("name", "d");
        assertThat(run(TIMES4, Facts.optedIn(), p).changed()).isFalse();
        ObjectNode mirror = pod(app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}"));
        mirror.with("metadata").putObject("annotations").put("kubernetes.io/config.mirror", "x");
        assertThat(run(TIMES4, Facts.optedIn(), mirror).changed()).isFalse();
        ObjectNode deployment = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','namespace':'ns'},"
                + "'spec':{'template':{'spec':" + app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}") + "}}}");
        assertThat(run(TIMES4, Facts.optedIn(), deployment).changed()).isFalse();
    }

    @Test
    void notBeforeTheCachesSyncedNorWithoutPodsResize() {
        String spec = app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}");
        Mutation early = run(TIMES4, new Facts(false, null, "enabled", List.of(), List.of()), pod(spec));
        assertThat(early.changed()).isFalse();
        assertThat(early.warnings()).singleElement().asString().contains("cpu-boost: not boosted").contains("synced");
        Mutation old = run(TIMES4, new Facts(true, "the API server does not serve pods/resize", "enabled", List.of(),
                List.of()), pod(spec));
        assertThat(old.changed()).isFalse();
        assertThat(old.warnings()).singleElement().asString().contains("pods/resize");
    }

    @Test
    void withoutAClusterItBoostsAsConfigured() {
        ObjectNode p = pod(app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}"));
        p.with("metadata").putObject("annotations").put(CpuBoostRule.OPT_IN, "enabled");
        assertThat(cpuLimit(run(TIMES4, CpuBoostFacts.NONE, p), "containers", 0)).isEqualTo("4");
    }

    @Test
    void reinvocationChangesNothing() {
        ObjectNode p = pod(app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}"));
        Mutation first = run(TIMES4, Facts.optedIn(), p);
        Mutation again = run(TIMES4, Facts.optedIn(), first.mutated());
        assertThat(again.changed()).isFalse();
        assertThat(again.warnings()).isEmpty();
    }

    @Test
    void anExistingPodIsNotBoosted() {
        // An UPDATE, or the background scan: the boost happens at creation only.
        ObjectNode p = pod(app("{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}"));
        p.with("metadata").put("uid", "u").put("creationTimestamp", "2026-12-05T10:00:00Z");
        Mutation m = run(TIMES4, Facts.optedIn(), p);
        assertThat(m.changed()).isFalse();
        assertThat(new CpuBoostRule(TIMES4, Facts.optedIn()).check(Workload.of(p).orElseThrow())).isEmpty();
    }

    // --- the chain: LimitRanger, ResourceQuota ---

    /** Through defaulting, LimitRanger, the webhook, LimitRanger again; then the validations. */
    record Admitted(ObjectNode pod, List<String> refusals, List<String> warnings) {
    }

    static Admitted admit(CpuBoostSettings settings, Facts facts, ObjectNode pod) {
        CpuAdmissionChain chain = new CpuAdmissionChain(facts.ranges(), facts.quotas());
        chain.defaultAndLimitRange(pod);
        Mutation m = run(settings, facts, pod);
        ObjectNode after = m.mutated().deepCopy();
        chain.defaultAndLimitRange(after);
        return new Admitted(after, chain.refusals(after), m.warnings());
    }

    static final ObjectNode BURSTABLE = pod(app("{'requests':{'cpu':'250m','memory':'1Gi'},'limits':{'cpu':'500m','memory':'2Gi'}}"));

    @Test
    void limitRangeDefaultWouldPutARemovedLimitBackSoRemoveModeDeclines() {
        Facts facts = Facts.optedIn().with(List.of(new CpuLimitRange("lr", "Container", 500L, null, null)), List.of());
        Admitted a = admit(REMOVE, facts, BURSTABLE.deepCopy());
        assertThat(a.refusals()).isEmpty();
        assertThat(a.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("500m");
        assertThat(a.pod().at("/metadata/annotations").has(CpuBoostRecord.ANNOTATION)).isFalse();
        assertThat(a.warnings()).singleElement().asString().contains("LimitRange lr defaults a CPU limit")
                .contains("multiply or value");
        // multiply is fine there: the limit is kept, only raised
        Admitted m = admit(TIMES4, facts, BURSTABLE.deepCopy());
        assertThat(m.refusals()).isEmpty();
        assertThat(m.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("2");
    }

    @Test
    void limitRangeMaxBoundsTheBoostInsteadOfARemoval() {
        // A max defaults the limit too (SetDefaults_LimitRangeItem): removal would be undone, so use max.
        Facts facts = Facts.optedIn().with(List.of(new CpuLimitRange("lr", "Container", 1500L, 1500L, null)), List.of());
        Admitted a = admit(REMOVE, facts, BURSTABLE.deepCopy());
        assertThat(a.refusals()).isEmpty();
        assertThat(a.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("1500m");
        Admitted m = admit(TIMES4, facts, BURSTABLE.deepCopy());
        assertThat(m.refusals()).isEmpty();
        assertThat(m.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("1500m");
    }

    @Test
    void maxLimitRequestRatioBoundsTheBoostOrDeclinesIt() {
        Facts ratio3 = Facts.optedIn().with(List.of(new CpuLimitRange("lr", "Container", null, null, 3000L)), List.of());
        Admitted a = admit(TIMES4, ratio3, BURSTABLE.deepCopy());
        assertThat(a.refusals()).isEmpty();
        assertThat(a.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("750m");
        Facts ratio2 = Facts.optedIn().with(List.of(new CpuLimitRange("lr", "Container", null, null, 2000L)), List.of());
        Admitted b = admit(TIMES4, ratio2, BURSTABLE.deepCopy());
        assertThat(b.refusals()).isEmpty();
        assertThat(b.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("500m");
        assertThat(b.warnings()).singleElement().asString().contains("no room").contains("maxLimitRequestRatio 2");
    }

    @Test
    void podMaxIsSharedBetweenContainersInProportion() {
        ObjectNode p = pod("{'containers':[{'name':'a','resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'1'}}},"
                + "{'name':'b','resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'500m'}}}]}");
        Facts facts = Facts.optedIn().with(List.of(new CpuLimitRange("lr", "Pod", null, 3000L, null)), List.of());
        Admitted a = admit(REMOVE, facts, p);
        assertThat(a.refusals()).isEmpty();
        assertThat(a.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("2");
        assertThat(a.pod().at("/spec/containers/1/resources/limits/cpu").asText()).isEqualTo("1");
    }

    @Test
    void quotaOnLimitsCpuDeclinesByDefault() {
        Facts facts = Facts.optedIn().with(List.of(), List.of(new CpuQuota("q", 10_000, 2_000L)));
        Admitted a = admit(REMOVE, facts, BURSTABLE.deepCopy());
        assertThat(a.refusals()).isEmpty();
        assertThat(a.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("500m");
        assertThat(a.warnings()).singleElement().asString().contains("ResourceQuota q tracks limits.cpu");
    }

    @Test
    void quotaOnLimitsCpuWithFitQuotaBoostsWithinWhatIsLeftAndNeverRemoves() {
        CpuBoostSettings fit = new CpuBoostSettings(true, CpuBoostMode.REMOVE, REMOVE.factor(), 0, true, Duration.ofMinutes(5));
        Facts room = Facts.optedIn().with(List.of(), List.of(new CpuQuota("q", 4_000, 2_800L)));
        Admitted a = admit(fit, room, BURSTABLE.deepCopy());
        assertThat(a.refusals()).isEmpty();
        assertThat(a.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("1200m");
        Facts full = Facts.optedIn().with(List.of(), List.of(new CpuQuota("q", 4_000, 3_500L)));
        Admitted b = admit(fit, full, BURSTABLE.deepCopy());
        assertThat(b.refusals()).isEmpty();
        assertThat(b.pod().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("500m");
        assertThat(b.warnings()).singleElement().asString().contains("has 500m of limits.cpu left");
        Facts noStatus = Facts.optedIn().with(List.of(), List.of(new CpuQuota("q", 4_000, null)));
        assertThat(admit(fit, noStatus, BURSTABLE.deepCopy()).warnings()).singleElement().asString().contains("no status");
    }

    /**
     * Generated pods, LimitRanges and quotas: whatever the chain admits without the webhook, it
     * admits after it, and a boosted container never ends up below its own limit.
     */
    @Test
    void neverRefusedByTheChainWhenThePodWouldHaveBeenAdmitted() {
        Random random = new Random(22);
        String[] limits = {"100m", "250m", "500m", "0.5", "1", "2", "1500m", null};
        CpuBoostSettings fit = new CpuBoostSettings(true, CpuBoostMode.REMOVE, REMOVE.factor(), 0, true, Duration.ofMinutes(5));
        List<CpuBoostSettings> modes = List.of(REMOVE, TIMES4, TO3, fit,
                new CpuBoostSettings(true, CpuBoostMode.MULTIPLY, TIMES4.factor(), 0, true, Duration.ofMinutes(5)));
        int admittedBefore = 0;
        int boosted = 0;
        for (int n = 0; n < 3000; n++) {
            StringBuilder spec = new StringBuilder("{'containers':[");
            int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                String limit = limits[random.nextInt(limits.length)];
                String request = limit == null || random.nextBoolean() ? "50m" : limit;
                spec.append(i == 0 ? "" : ",").append("{'name':'c").append(i).append("','resources':{'requests':{'cpu':'")
                        .append(request).append("','memory':'1Gi'}").append(limit == null ? "" : ",'limits':{'cpu':'" + limit + "'}")
                        .append("}}");
            }
            spec.append("]}");
            List<CpuLimitRange> ranges = new ArrayList<>();
            if (random.nextInt(3) == 0) {
                Long max = random.nextBoolean() ? 500L + random.nextInt(4000) : null;
                Long dflt = max != null ? max : random.nextBoolean() ? 1000L : null;
                ranges.add(new CpuLimitRange("c", "Container", dflt, max, random.nextBoolean() ? 1000L + random.nextInt(5000) : null));
            }
            if (random.nextInt(4) == 0) {
                ranges.add(new CpuLimitRange("p", "Pod", null, 1000L + random.nextInt(8000),
                        random.nextBoolean() ? 2000L + random.nextInt(5000) : null));
            }
            List<CpuQuota> quotas = random.nextInt(4) == 0 ? List.of(new CpuQuota("q", 10_000, (long) random.nextInt(10_000)))
                    : List.of();
            Facts facts = Facts.optedIn().with(ranges, quotas);
            CpuAdmissionChain chain = new CpuAdmissionChain(ranges, quotas);
            ObjectNode without = pod(spec.toString());
            chain.defaultAndLimitRange(without);
            if (!chain.refusals(without).isEmpty()) {
                continue;
            }
            admittedBefore++;
            CpuBoostSettings settings = modes.get(random.nextInt(modes.size()));
            Admitted a = admit(settings, facts, pod(spec.toString()));
            assertThat(a.refusals()).as("case %d: %s, ranges %s, quotas %s, %s", n, spec, ranges, quotas, settings.mode())
                    .isEmpty();
            for (int i = 0; i < count; i++) {
                var before = without.at("/spec/containers/" + i + "/resources/limits/cpu");
                var after = a.pod().at("/spec/containers/" + i + "/resources/limits/cpu");
                if (!before.isMissingNode() && !after.isMissingNode()) {
                    assertThat(CpuQuantity.millis(after.asText()).getAsLong())
                            .isGreaterThanOrEqualTo(CpuQuantity.millis(before.asText()).getAsLong());
                }
                assertThat(a.pod().at("/spec/containers/" + i + "/resources/requests/cpu"))
                        .isEqualTo(without.at("/spec/containers/" + i + "/resources/requests/cpu"));
            }
            if (a.pod().at("/metadata/annotations").has(CpuBoostRecord.ANNOTATION)) {
                boosted++;
            }
        }
        assertThat(admittedBefore).isGreaterThan(1000);
        assertThat(boosted).isGreaterThan(300);
    }

    // --- configuration ---

    @Test
    void configurationErrorsAreOneLineAndNameTheKey() {
        assertThatThrownBy(() -> CpuBoostSettings.parse(true, "double", "4", null, false, Duration.ofMinutes(5)))
                .hasMessage("headstart.cpu-boost.mode: \"double\" is not one of remove, multiply, value");
        assertThatThrownBy(() -> CpuBoostSettings.parse(true, "multiply", "1", null, false, Duration.ofMinutes(5)))
                .hasMessageContaining("headstart.cpu-boost.factor: 1 must be above 1");
        assertThatThrownBy(() -> CpuBoostSettings.parse(true, "multiply", "x", null, false, Duration.ofMinutes(5)))
                .hasMessageContaining("headstart.cpu-boost.factor: \"x\" is not a number");
        assertThatThrownBy(() -> CpuBoostSettings.parse(true, "value", "4", "", false, Duration.ofMinutes(5)))
                .hasMessageContaining("headstart.cpu-boost.value");
        assertThatThrownBy(() -> CpuBoostSettings.parse(true, "value", "4", "-1", false, Duration.ofMinutes(5)))
                .hasMessageContaining("headstart.cpu-boost.value");
        assertThatThrownBy(() -> CpuBoostSettings.parse(true, "remove", "4", null, false, Duration.ZERO))
                .hasMessageContaining("max-duration");
        assertThat(CpuBoostSettings.parse(true, " Multiply ", "2.5", null, false, Duration.ofMinutes(1)).mode())
                .isEqualTo(CpuBoostMode.MULTIPLY);
    }

    // --- the report of a boost never given back ---

    @Test
    void aBoostNeverRevertedIsReportedOnceItIsOverdue() {
        Clock now = Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);
        CpuBoostRule rule = new CpuBoostRule(TIMES4, Facts.optedIn(), now);
        ObjectNode p = pod(app("{'requests':{'cpu':'100m'},'limits':{'cpu':'4'}}"));
        p.with("metadata").put("uid", "u").put("creationTimestamp", "2026-12-05T11:00:00Z")
                .putObject("annotations").put(CpuBoostRecord.ANNOTATION, "app=1");
        p.putObject("status").put("startTime", "2026-12-05T11:59:00Z");
        assertThat(rule.check(Workload.of(p).orElseThrow())).isEmpty(); // started a minute ago
        ((ObjectNode) p.get("status")).put("startTime", "2026-12-05T11:00:00Z");
        assertThat(rule.check(Workload.of(p).orElseThrow())).singleElement()
                .extracting(Finding::message).asString().contains("boost never reverted").contains("app");
        ((ObjectNode) p.at("/spec/containers/0/resources/limits")).put("cpu", "1000m"); // reverted
        assertThat(rule.check(Workload.of(p).orElseThrow())).isEmpty();
    }
}
