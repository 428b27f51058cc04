package dev.headstart.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headstart.telemetry.Objects.node;
import static dev.headstart.telemetry.Objects.pod;
import static dev.headstart.telemetry.Objects.pulled;
import static dev.headstart.telemetry.Objects.readyPod;
import static org.assertj.core.api.Assertions.assertThat;

class StartupReportTest {

    private static final String PRESENT = "Container image \"app:1\" already present on machine";

    @Test
    void podsSplitByHeadstartAndPullsFollowTheirPod() {
        Pod pending = pod("pending", true, 0, "PodScheduled=True@12:00:01");
        StartupReport report = StartupReport.of(
                List.of(readyPod("on-1", true, 10), readyPod("on-2", true, 20), readyPod("off-1", false, 60), pending),
                List.of(),
                List.of(pulled("on-1", "uid-on-1", PRESENT),
                        pulled("on-2", null, "Successfully pulled image \"app:1\" in 2.5s (2.5s including waiting)"),
                        // a pod that is not Ready yet still pulled
                        pulled("pending", "uid-pending", "Successfully pulled image \"app:1\" in 1m5.5s"),
                        pulled("off-1", "uid-off-1", "Successfully pulled image \"app:1\" in 30s"),
                        // a pod of the same name that is gone (other uid), and a pod that is not listed
                        pulled("on-1", "uid-of-an-older-on-1", "Successfully pulled image \"app:1\" in 9m"),
                        pulled("elsewhere", null, "Successfully pulled image \"app:1\" in 9m"),
                        // not a pull
                        Objects.event("Pulling", "Pod", "off-1", "uid-off-1", "Pulling image \"app:1\"")));
        // kept slowest first (the page's waterfall order)
        assertThat(report.on().pods()).extracting(PodStartup::key).containsExactly("shop/on-2", "shop/on-1");
        assertThat(report.on().count()).isEqualTo(2);
        assertThat(report.off().pods()).extracting(PodStartup::key).containsExactly("shop/off-1");
        assertThat(report.on().pulls()).isEqualTo(3);
        assertThat(report.on().cached()).isEqualTo(1);
        assertThat(report.on().pullSeconds()).isEqualTo(Summary.of(List.of(0.0, 2.5, 65.5)));
        assertThat(report.off().pulls()).isEqualTo(1);
        assertThat(report.off().pullSeconds()).isEqualTo(Summary.of(List.of(30.0)));
        assertThat(report.on().phases().get(PodPhase.TOTAL)).isEqualTo(Summary.of(List.of(10.0, 20.0)));
        assertThat(report.off().phases().get(PodPhase.STARTUP)).isEqualTo(Summary.of(List.of(58.0)));
        assertThat(report.slowestPods(true, 1)).extracting(PodStartup::key).containsExactly("shop/on-2");
        assertThat(report.slowestPods(true, 5)).extracting(PodStartup::key).containsExactly("shop/on-2", "shop/on-1");
        assertThat(report.slowestPods(false, 5)).extracting(PodStartup::key).containsExactly("shop/off-1");
    }

    @Test
    void nodesSplitByWarmPool() {
        StartupReport report = StartupReport.of(List.of(), List.of(
                node("warm", "12:00:00", "12:00:30", "headstart.dev/warm-pool=true", "headstart.dev/warm-up-complete=12:00:50"),
                node("cold-1", "12:00:00", "12:02:00"),
                node("cold-2", "12:00:00", null)), List.of());
        assertThat(report.warmPool().nodes()).extracting(NodeStartup::name).containsExactly("warm");
        assertThat(report.cold().nodes()).extracting(NodeStartup::name).containsExactly("cold-1", "cold-2");
        assertThat(report.cold().phases().get(NodePhase.READY)).isEqualTo(Summary.of(List.of(120.0)));
        assertThat(report.warmPool().phases().get(NodePhase.WARM_UP)).isEqualTo(Summary.of(List.of(50.0)));
        assertThat(report.slowestNodes(false, 5)).extracting(NodeStartup::name).containsExactly("cold-1", "cold-2");
        assertThat(report.slowestNodes(true, 5)).extracting(NodeStartup::name).containsExactly("warm");
    }

    @Test
    void jsonHasTheIssuesShapeWithNullFiguresWhenEmpty() {
        JsonNode json = StartupReport.of(List.of(readyPod("on-1", true, 10)), List.of(), List.of()).toJson();
        String empty = "{\"count\":0,\"p50\":null,\"p90\":null,\"p99\":null,\"max\":null}";
        assertThat(json.at("/pods/off").toString()).isEqualTo("{\"count\":0,\"phases\":{\"scheduling\":" + empty
                + ",\"initialization\":" + empty + ",\"startup\":" + empty + ",\"total\":" + empty
                + "},\"imagePulls\":{\"count\":0,\"cached\":0,\"seconds\":" + empty + "}}");
        assertThat(json.at("/pods/on/phases/total").toString())
                .isEqualTo("{\"count\":1,\"p50\":10.0,\"p90\":10.0,\"p99\":10.0,\"max\":10.0}");
        assertThat(json.at("/nodes/cold").toString()).isEqualTo("{\"count\":0,\"phases\":{\"ready\":" + empty
                + ",\"imageCache\":" + empty + ",\"warmUp\":" + empty + "}}");
        assertThat(json.fieldNames()).toIterable().containsExactly("pods", "nodes");
        // no boosted pod: no cpuBoost block, the JSON reads as before the cpu-boost rule
        assertThat(json.get("pods").fieldNames()).toIterable().containsExactly("on", "off");
        assertThat(json.get("nodes").fieldNames()).toIterable().containsExactly("warmPool", "cold");
    }

    @Test
    void theStartupPhaseIsSplitByBoostedOrNot() {
        // startup = Ready - Initialized (Initialized at +2 s): boosted 8 s and 18 s, the others 58 s and 28 s
        Pod restarted = Objects.boosted(pod("restarted", true, 1, "PodScheduled=True@12:00:01",
                "Initialized=True@12:00:02", "Ready=True@12:00:04"));
        StartupReport report = StartupReport.of(List.of(Objects.boosted(readyPod("fast", true, 10)),
                Objects.boosted(readyPod("slow", true, 20)), readyPod("plain-on", true, 30), readyPod("off-1", false, 60),
                restarted, Objects.boosted(pod("not-ready", true, 0, "PodScheduled=True@12:00:01"))), List.of(), List.of());
        StartupReport.BoostSplit split = report.cpuBoost();
        // a restarted pod is Ready (counted) but has no startup phase (Ready dates from the restart)
        assertThat(split.boostedCount()).isEqualTo(3);
        assertThat(split.boosted()).isEqualTo(Summary.of(List.of(8.0, 18.0)));
        assertThat(split.notBoostedCount()).isEqualTo(2);
        assertThat(split.notBoosted()).isEqualTo(Summary.of(List.of(28.0, 58.0)));
        // the on/off groups are what they were: boosting is one of Headstart's changes
        assertThat(report.on().count()).isEqualTo(4);
        JsonNode json = report.toJson();
        assertThat(json.get("pods").fieldNames()).toIterable().containsExactly("on", "off", "cpuBoost");
        assertThat(json.at("/pods/cpuBoost/boosted/count").asInt()).isEqualTo(3);
        assertThat(json.at("/pods/cpuBoost/boosted/startup").toString())
                .isEqualTo("{\"count\":2,\"p50\":8.0,\"p90\":18.0,\"p99\":18.0,\"max\":18.0}");
        assertThat(json.at("/pods/cpuBoost/notBoosted/count").asInt()).isEqualTo(2);
        assertThat(json.at("/pods/cpuBoost/notBoosted/startup/max").asDouble()).isEqualTo(58.0);
    }
}
