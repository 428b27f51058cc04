package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WorkloadTemplateTest {

    static final PodSpec SPEC = new PodSpecBuilder().withServiceAccountName("runner")
            .addNewContainer().withName("app").withImage("app:1").endContainer().build();

    @Test
    void readsTheTemplateOfEveryWorkloadKindAndNothingElse() {
        List<HasMetadata> workloads = List.of(
                new DeploymentBuilder().withNewMetadata().withName("d").withNamespace("a").endMetadata()
                        .withNewSpec().withNewTemplate().withSpec(SPEC).endTemplate().endSpec().build(),
                new StatefulSetBuilder().withNewMetadata().withName("s").withNamespace("a").endMetadata()
                        .withNewSpec().withNewTemplate().withSpec(SPEC).endTemplate().endSpec().build(),
                new DaemonSetBuilder().withNewMetadata().withName("ds").withNamespace("a").endMetadata()
                        .withNewSpec().withNewTemplate().withSpec(SPEC).endTemplate().endSpec().build(),
                new ReplicaSetBuilder().withNewMetadata().withName("rs").withNamespace("a").endMetadata()
                        .withNewSpec().withNewTemplate().withSpec(SPEC).endTemplate().endSpec().build(),
                new JobBuilder().withNewMetadata().withName("j").withNamespace("a").endMetadata()
                        .withNewSpec().withNewTemplate().withSpec(SPEC).endTemplate().endSpec().build(),
                new CronJobBuilder().withNewMetadata().withName("c").withNamespace("a").endMetadata()
                        .withNewSpec().withNewJobTemplate().withNewSpec().withNewTemplate().withSpec(SPEC).endTemplate()
                        .endSpec().endJobTemplate().endSpec().build());
        assertThat(workloads).allSatisfy(w -> assertThat(WorkloadTemplate.podSpecOf(w)).contains(SPEC));
        assertThat(workloads.stream().map(w -> WorkloadTemplate.of(w, List.of("sa")).orElseThrow().id()))
                .containsExactly("a/Deployment/d", "a/StatefulSet/s", "a/DaemonSet/ds", "a/ReplicaSet/rs", "a/Job/j", "a/CronJob/c");

        assertThat(WorkloadTemplate.podSpecOf(new PodBuilder().withSpec(SPEC).build())).isEmpty();
        assertThat(WorkloadTemplate.podSpecOf(new CronJobBuilder().withNewMetadata().withName("c").endMetadata()
                .withNewSpec().endSpec().build())).isEmpty();
    }

    @Test
    void theServiceAccountIsNamedOrDefault() {
        assertThat(new WorkloadTemplate("a", "Deployment", "d", SPEC, null).serviceAccountName()).isEqualTo("runner");
        PodSpec legacy = new PodSpecBuilder().withServiceAccount("old").build();
        assertThat(new WorkloadTemplate("a", "Deployment", "d", legacy, null).serviceAccountName()).isEqualTo("old");
        assertThat(new WorkloadTemplate("a", "Deployment", "d", new PodSpec(), null).serviceAccountName()).isEqualTo("default");
    }

    @Test
    void imagesAreTrimmedDeduplicatedSortedWithInitContainersAndWithoutExcluded() {
        PodSpec spec = new PodSpecBuilder()
                .addNewInitContainer().withName("i").withImage(" migrate:2 ").endInitContainer()
                .addNewContainer().withName("a").withImage("app:1").endContainer()
                .addNewContainer().withName("b").withImage("app:1").endContainer()
                .addNewContainer().withName("c").withImage("debug:latest").endContainer()
                .addNewContainer().withName("d").withImage("").endContainer()
                .build();
        CachePolicy policy = new CachePolicy("hs", 3, List.of("debug:*"), List.of(), List.of(), List.of(), java.util.Map.of());
        assertThat(new WorkloadTemplate("a", "Deployment", "d", spec, null).images(policy)).containsExactly("app:1", "migrate:2");
    }
}
