package dev.headstart.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code headstart.cluster.enabled=auto}: a kubeconfig counts only when a file of it can be read. */
class ClusterAccessTest {

    @TempDir
    Path dir;

    private Path file(String name) throws Exception {
        return Files.writeString(dir.resolve(name), "apiVersion: v1\nkind: Config\n");
    }

    @Test
    void kubeconfigNamingAMissingFileIsNoCluster() {
        ClusterAccess.Detection d = ClusterAccess.detect(Map.of("KUBECONFIG", dir.resolve("gone").toString()), dir, Optional.empty());
        assertThat(d.found()).isFalse();
        assertThat(d.ignored()).isEqualTo("KUBECONFIG names no readable file (" + dir.resolve("gone") + ")");
    }

    @Test
    void kubeconfigListCountsItsReadableFilesAsKubectlDoes() throws Exception {
        Path real = file("dev");
        String list = dir.resolve("gone") + File.pathSeparator + File.pathSeparator + real;
        ClusterAccess.Detection d = ClusterAccess.detect(Map.of("KUBECONFIG", list), dir, Optional.empty());
        assertThat(d.found()).isTrue();
        assertThat(d.source()).isEqualTo("KUBECONFIG " + real);
    }

    @Test
    void aDirectoryIsNoKubeconfig() {
        assertThat(ClusterAccess.detect(Map.of("KUBECONFIG", dir.toString()), dir, Optional.empty()).found()).isFalse();
    }

    @Test
    void withKubeconfigSetTheHomeConfigIsNotRead() throws Exception {
        Files.createDirectories(dir.resolve(".kube"));
        Files.writeString(dir.resolve(".kube/config"), "x");
        assertThat(ClusterAccess.detect(Map.of("KUBECONFIG", dir.resolve("gone").toString()), dir, Optional.empty()).found())
                .isFalse();
        ClusterAccess.Detection home = ClusterAccess.detect(Map.of(), dir, Optional.empty());
        assertThat(home.found()).isTrue();
        assertThat(home.source()).isEqualTo("kubeconfig " + dir.resolve(".kube/config"));
    }

    @Test
    void inAPodOrWithAnApiServerUrlThereIsACluster() {
        assertThat(ClusterAccess.detect(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), dir, Optional.empty()).source())
                .isEqualTo("in-cluster service account");
        assertThat(ClusterAccess.detect(Map.of("KUBECONFIG", "/nowhere"), dir, Optional.of("https://127.0.0.1:6443")).found())
                .isTrue();
        assertThat(ClusterAccess.detect(Map.of(), dir, Optional.empty()).found()).isFalse();
    }
}
