package dev.headstart.manifests;

import dev.headstart.testing.RequiredTool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `make deploy` as a user runs it, with a fake kubectl first on PATH that records what it would
 * apply (and renders with the real kubectl or kustomize, which the test needs).
 */
class DeployScriptTest {

    static final Path REPO = Path.of("").toAbsolutePath();
    static final String PLACEHOLDER = "ghcr.io/headstart-dev/headstart:0.1.0";

    @TempDir
    Path tmp;
    Path bin;
    Path log;

    record Run(int exit, String output) {
    }

    @BeforeEach
    void fakeKubectl() throws IOException {
        RequiredTool.require("make", "apt-get install make");
        RequiredTool.require("kubectl", "README, Quick start");
        bin = Files.createDirectories(tmp.resolve("bin"));
        log = tmp.resolve("kubectl.log");
        String real = realKubectl();
        // kustomize renders for real; `apply -f -` keeps what it was given; everything else is logged.
        Files.writeString(bin.resolve("kubectl"), """
                #!/usr/bin/env bash
                echo "kubectl $*" >> '%s'
                case "$1" in
                  kustomize) exec '%s' "$@" ;;
                  get) [[ "$2" == crd && " ${FAKE_CRDS:-} " == *" $3 "* ]] || exit 1 ;;
                  create) if [[ "$*" == *"-f -"* ]]; then cat >> '%s'; else echo "kind: Fake"; echo "name: $2"; fi ;;
                  apply) [[ "$*" == *"-f -"* ]] && cat >> '%s' ;;
                  delete) [[ "$*" == *"-f -"* ]] && cat >> '%s' ;;
                esac
                exit 0
                """.formatted(log, real, tmp.resolve("created.yaml"), tmp.resolve("applied.yaml"), tmp.resolve("deleted.yaml")));
        Files.setPosixFilePermissions(bin.resolve("kubectl"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String realKubectl() {
        for (String dir : System.getenv("PATH").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("kubectl checked above");
    }

    /** `make -C <repo> deploy ...` from {@code callerDir}, as someone standing there would type it. */
    private Run makeDeploy(Path callerDir, Map<String, String> env, String... makeArgs) throws Exception {
        return make("deploy", callerDir, env, makeArgs);
    }

    private Run make(String target, Path callerDir, Map<String, String> env, String... makeArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of("make", "-s", "-C", REPO.toString(), target));
        command.addAll(List.of(makeArgs));
        ProcessBuilder builder = new ProcessBuilder(command).directory(callerDir.toFile()).redirectErrorStream(true);
        builder.environment().put("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
        // make passes the caller's directory on from PWD, as a shell sets it.
        builder.environment().put("PWD", callerDir.toString());
        builder.environment().put("HEADSTART_CERT_DIR", tmp.resolve("certs").toString());
        builder.environment().remove("IMAGE");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private ManifestSet applied() throws IOException {
        return new ManifestSet("applied", ManifestSet.parse(Files.readString(tmp.resolve("applied.yaml"))));
    }

    private List<String> images(ManifestSet applied) {
        List<String> images = new ArrayList<>();
        applied.one("Deployment", "headstart").at("/spec/template/spec/containers").forEach(c -> images.add(c.path("image").asText()));
        return images;
    }

    /** The documented overlay recipe: my-headstart/ beside the clone, deployed from where it is. */
    private Path overlayBesideTheClone(String extra) throws IOException {
        Path overlay = Files.createDirectories(tmp.resolve("my-headstart"));
        Files.writeString(overlay.resolve("kustomization.yaml"), "resources:\n  - "
                + overlay.relativize(REPO.resolve("manifests")) + "\n" + extra);
        return overlay;
    }

    @Test
    void aRelativeOverlayResolvesFromTheCallersDirectoryWithOneImageEverywhere() throws Exception {
        overlayBesideTheClone("");
        Run run = makeDeploy(tmp, Map.of("HEADSTART_MANIFESTS", "my-headstart"), "IMAGE=registry.example.com/headstart:1.2.3");
        assertThat(run.exit()).as(run.output()).isZero();
        ManifestSet applied = applied();
        assertThat(images(applied)).containsExactly("registry.example.com/headstart:1.2.3", "registry.example.com/headstart:1.2.3");
        // Absent CRDs are created (never applied: no ownership fight with a Helm chart's copy).
        assertThat(applied.objects()).noneMatch(o -> o.path("kind").asText().equals("CustomResourceDefinition"));
        ManifestSet created = new ManifestSet("created", ManifestSet.parse(Files.readString(tmp.resolve("created.yaml"))));
        assertThat(created.objects()).extracting(o -> o.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io");
        assertThat(Files.readString(log)).contains("kubectl -n headstart-system rollout status deployment/headstart");
    }

    /**
     * Issue 26, case 4: CRDs another tool installed (Kyverno's Helm chart) are left as they are:
     * neither created nor applied over, whatever the install order.
     */
    @Test
    void existingPolicyReportCrdsAreNeverTakenOver() throws Exception {
        Run run = makeDeploy(REPO, Map.of("FAKE_CRDS", "policyreports.wgpolicyk8s.io clusterpolicyreports.wgpolicyk8s.io"));
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("CRD policyreports.wgpolicyk8s.io exists: left as its owner installed it");
        assertThat(tmp.resolve("created.yaml")).doesNotExist();
        assertThat(applied().objects()).noneMatch(o -> o.path("kind").asText().equals("CustomResourceDefinition"));
    }

    /**
     * Issue 26, case 3: `make undeploy` (with or without purge) deletes Headstart's own reports by
     * label and never a report CRD, which other tools' reports live in.
     */
    @Test
    void undeployDeletesHeadstartsReportsByLabelAndNeverTheSharedCrds() throws Exception {
        for (String purge : new String[] {"", "--purge"}) {
            Files.deleteIfExists(tmp.resolve("deleted.yaml"));
            Files.deleteIfExists(log);
            List<String> command = new ArrayList<>(List.of("bash", REPO.resolve("manifests/deploy.sh").toString(), "delete"));
            if (!purge.isEmpty()) {
                command.add(purge);
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
            builder.environment().put("FAKE_CRDS", "policyreports.wgpolicyk8s.io");
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(Files.readString(log)).contains(
                    "kubectl delete policyreports.wgpolicyk8s.io --all-namespaces -l app.kubernetes.io/managed-by=headstart --ignore-not-found")
                    .doesNotContain("delete reports.openreports.io");
            ManifestSet deleted = new ManifestSet("deleted", ManifestSet.parse(Files.readString(tmp.resolve("deleted.yaml"))));
            assertThat(deleted.objects()).as(purge).noneMatch(o -> o.path("kind").asText().equals("CustomResourceDefinition"));
            assertThat(deleted.objects()).as(purge).anyMatch(o -> o.path("kind").asText().equals("ValidatingWebhookConfiguration"));
        }
    }

    @Test
    void withoutImageTheManifestsOwnImageIsInstalledAndSkipCrdsLeavesThePolicyReportCrdsOut() throws Exception {
        Run run = makeDeploy(REPO, Map.of(), "SKIP_CRDS=true");
        assertThat(run.exit()).as(run.output()).isZero();
        ManifestSet applied = applied();
        assertThat(images(applied)).containsExactly(PLACEHOLDER, PLACEHOLDER);
        assertThat(applied.objects()).noneMatch(o -> o.path("kind").asText().equals("CustomResourceDefinition"));
        assertThat(applied.objects()).anyMatch(o -> o.path("kind").asText().equals("MutatingWebhookConfiguration"));
    }

    @Test
    void imagesByDigestAreSetToo() throws Exception {
        String digest = "sha256:" + "a".repeat(64);
        Run run = makeDeploy(REPO, Map.of(), "IMAGE=localhost:5000/headstart@" + digest);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(images(applied())).containsOnly("localhost:5000/headstart@" + digest);
    }

    @Test
    void aMissingOverlayOrAnEmptyRenderIsAnErrorAndNothingIsApplied() throws Exception {
        Run missing = makeDeploy(tmp, Map.of("HEADSTART_MANIFESTS", "not-there"));
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.output()).contains("deploy: HEADSTART_MANIFESTS: " + tmp + "/not-there is not a directory "
                + "(relative paths resolve from " + tmp + ")");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("kustomization.yaml"), "resources: []\n");
        Run nothing = makeDeploy(tmp, Map.of("HEADSTART_MANIFESTS", "empty"));
        assertThat(nothing.exit()).isNotZero();
        assertThat(nothing.output()).contains("deploy: " + empty + " rendered no objects").doesNotContain("0 of 0");

        assertThat(Files.exists(tmp.resolve("applied.yaml"))).as("nothing applied").isFalse();
    }

    @Test
    void anImageTheOverlayAlreadyRenamedIsNotSilentlyIgnored() throws Exception {
        overlayBesideTheClone("images:\n  - name: ghcr.io/headstart-dev/headstart\n    newName: mine.example.com/hs\n");
        Run run = makeDeploy(tmp, Map.of("HEADSTART_MANIFESTS", "my-headstart"), "IMAGE=other.example.com/hs:2");
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("HEADSTART_IMAGE: no container in " + tmp.resolve("my-headstart")
                + " uses ghcr.io/headstart-dev/headstart (does it set its own image?)");
        assertThat(Files.exists(tmp.resolve("applied.yaml"))).isFalse();
    }

}
