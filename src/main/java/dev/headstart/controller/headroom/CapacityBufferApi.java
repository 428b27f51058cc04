package dev.headstart.controller.headroom;

import dev.headstart.cluster.ApiServed;

import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the API server serves {@code capacitybuffers.autoscaling.x-k8s.io}, and in which version.
 * Asked through discovery ({@code GET /apis/autoscaling.x-k8s.io/<version>}, allowed to every
 * authenticated user), newest first: {@code v1}, {@code v1beta1}, {@code v1alpha1}
 * (cluster-autoscaler {@code apis/capacitybuffer/autoscaling.x-k8s.io/*}/types.go). A version counts
 * only when its resource list names {@code capacitybuffers} as namespaced: the same group serves
 * ProvisioningRequests at {@code v1} without buffers, and the PodTemplate a buffer points at must be
 * in the buffer's namespace. As {@code cluster.ResizeDiscovery}: re-asked every
 * {@code headstart.headroom.buffer-recheck} (by the headroom reconciler, so only the leader asks), a
 * failed call keeps the last answer, a change is logged once; unknown until the first answer.
 */
public class CapacityBufferApi {

    private static final Logger LOG = Logger.getLogger(CapacityBufferApi.class);

    public static final String GROUP = "autoscaling.x-k8s.io";
    public static final String RESOURCE = "capacitybuffers";
    /** Newest first: the first one served is used. */
    static final List<String> VERSIONS = List.of("v1", "v1beta1", "v1alpha1");

    private final Supplier<KubernetesClient> client;
    private volatile ApiServed state = ApiServed.UNKNOWN;
    private volatile String apiVersion;

    public CapacityBufferApi(Supplier<KubernetesClient> client, MeterRegistry registry) {
        this.client = client;
        Gauge.builder("headstart.headroom.buffer.api.served", this, d -> d.state.gauge())
                .description("Whether the API server serves capacitybuffers.autoscaling.x-k8s.io: 1 yes, 0 no, -1 not known"
                        + " yet (asked only while a pool has mode buffer or auto)")
                .register(registry);
    }

    /** One discovery round; never throws. Returns whether the answer changed. */
    public boolean check() {
        ApiServed before = state;
        String versionBefore = apiVersion;
        String found;
        try {
            found = served(client.get());
        } catch (RuntimeException e) {
            if (before == ApiServed.UNKNOWN) {
                LOG.warnf("headroom: cannot tell whether the API server serves %s.%s (%s); pools with mode buffer or"
                        + " auto are left as they are until it answers", RESOURCE, GROUP, OneLine.of(e));
            }
            return false;
        }
        apiVersion = found;
        state = found == null ? ApiServed.NOT_SERVED : ApiServed.SERVED;
        boolean changed = state != before || !java.util.Objects.equals(found, versionBefore);
        if (changed) {
            if (found != null) {
                LOG.infof("headroom: the API server serves %s %s; pools with mode buffer or auto keep a CapacityBuffer",
                        RESOURCE, found);
            } else {
                LOG.infof("headroom: the API server does not serve %s.%s; pools with mode auto keep pause pods, pools"
                        + " with mode buffer get nothing", RESOURCE, GROUP);
            }
        }
        return changed;
    }

    public ApiServed state() {
        return state;
    }

    /** The served {@code apiVersion} ({@code autoscaling.x-k8s.io/v1beta1}), empty when not served or not known. */
    public Optional<String> apiVersion() {
        return Optional.ofNullable(apiVersion);
    }

    /** The newest version whose discovery document lists namespaced {@code capacitybuffers}, or null. */
    public static String served(KubernetesClient kube) {
        for (String version : VERSIONS) {
            String apiVersion = GROUP + "/" + version;
            APIResourceList list;
            try {
                list = kube.getApiResources(apiVersion);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    continue;
                }
                throw e;
            }
            if (list != null && list.getResources() != null && list.getResources().stream()
                    .anyMatch(r -> RESOURCE.equals(r.getName()) && Boolean.TRUE.equals(r.getNamespaced()))) {
                return apiVersion;
            }
        }
        return null;
    }
}
