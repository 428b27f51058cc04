package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One source of truth: what charts/headstart holds of manifests/ and of HeadstartConfig is what
 * {@link ChartSources} generates from them today, so a change to either fails here until
 * `make chart-sync` is run and its output committed.
 */
class ChartSourcesTest {

    @Test
    void theCommittedChartIsWhatItsSourcesGenerate() {
        assertThat(ChartSources.stale())
                .as("charts/headstart is stale: run `" + ChartSources.SYNC_COMMAND + "` and commit what it writes")
                .isEmpty();
    }

    @Test
    void theChartsAppVersionIsTheImageTagOfManifestsBase() throws IOException {
        assertThat(Files.readString(ChartSources.CHART.resolve("Chart.yaml")))
                .contains("\nappVersion: \"" + ChartSources.baseImageTag() + "\"\n");
    }

    @Test
    void theHeadstartValuesSchemaHasEveryConfigKeyAndNothingElse() throws IOException {
        JsonNode schema = Json.MAPPER.readTree(ChartSources.CHART.resolve("values.schema.json").toFile()).at("/properties/headstart");
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        JsonNode properties = schema.path("properties");
        // A few keys by name, from each corner of the configuration (the rest follows from the generator).
        assertThat(properties.at("/pull-policy/properties/mode").isObject()).isTrue();
        assertThat(properties.at("/warm-pool/properties/heartbeat-interval-seconds/type").asText()).isEqualTo("integer");
        assertThat(properties.at("/image-cache/properties/node-credential-registries/type").toString()).isEqualTo("[\"array\",\"string\"]");
        assertThat(properties.at("/headroom/properties/node-selector/type").asText()).isEqualTo("object");
        assertThat(properties.at("/validation/properties/reports/properties/max-backoff").isObject()).isTrue();
        assertThat(properties.has("role")).as("the role is the container's command, not a value").isFalse();
        long topLevel = java.util.Arrays.stream(HeadstartConfig.class.getMethods())
                .filter(m -> m.getParameterCount() == 0 && !m.isDefault() && !m.getName().equals("role")).count();
        assertThat(properties.size()).isEqualTo((int) topLevel);
    }

    @Test
    void kebabCaseIsSmallRyesNaming() {
        assertThat(ChartSources.kebab("maxPodsPerNode")).isEqualTo("max-pods-per-node");
        assertThat(ChartSources.kebab("awsCallsPerSecond")).isEqualTo("aws-calls-per-second");
        assertThat(ChartSources.kebab("tls")).isEqualTo("tls");
    }
}
