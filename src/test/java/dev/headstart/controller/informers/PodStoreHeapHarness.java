package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What the shared pod cache ({@link ControllerKinds#PODS}) costs per pod: fills its store with
 * realistic pods (a Deployment's pod as the API server returns it: labels, annotations, owner,
 * managedFields, two containers with env, probes, resources, mounts; five conditions and container
 * statuses), half of them carrying {@code headstart.dev/applied}, and prints the heap after a full
 * GC per stored pod. {@code wide}: the same with the fields a store would keep to compute the phases
 * from it (conditions, container statuses, creation time, all annotations), for comparison.
 *
 * <pre>
 * ./mvnw -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -XX:+UseSerialGC -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     dev.headstart.controller.informers.PodStoreHeapHarness 20000 [wide]
 * </pre>
 */
public final class PodStoreHeapHarness {

    private PodStoreHeapHarness() {
    }

    static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","namespace":"shop-NS","uid":"UID",
             "resourceVersion":"RV","creationTimestamp":"CREATED","generateName":"checkout-7d9c5b6f8-",
             "labels":{"app.kubernetes.io/name":"checkout","app.kubernetes.io/instance":"checkout-prod",
               "app.kubernetes.io/version":"2.14.3","pod-template-hash":"7d9c5b6f8","team":"payments"},
             "annotations":{ANNOTATIONS"prometheus.io/scrape":"true","prometheus.io/port":"9090",
               "kubectl.kubernetes.io/restartedAt":"2026-11-20T10:00:00Z"},
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"checkout-7d9c5b6f8",
               "uid":"6a1f3b8e-0d2c-4c5e-9f6a-1b2c3d4e5f60","controller":true,"blockOwnerDeletion":true}],
             "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1",
               "time":"CREATED","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},
               "f:labels":{".":{},"f:app.kubernetes.io/name":{},"f:pod-template-hash":{}},"f:ownerReferences":{}},
               "f:spec":{"f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},"f:env":{},"f:image":{},"f:ports":{}}}}}},
               {"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"CREATED","fieldsType":"FieldsV1",
               "subresource":"status","fieldsV1":{"f:status":{"f:conditions":{},"f:containerStatuses":{},
               "f:hostIP":{},"f:phase":{},"f:podIP":{},"f:podIPs":{},"f:startTime":{}}}}]},
             "spec":{"nodeName":"ip-10-0-12-34.ec2.internal","serviceAccountName":"checkout",
              "containers":[{"name":"app","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/checkout:2.14.3",
                "ports":[{"containerPort":8080,"protocol":"TCP"},{"containerPort":9090,"name":"metrics","protocol":"TCP"}],
                "env":[{"name":"JAVA_OPTS","value":"-Xmx512m"},{"name":"DB_HOST","value":"db.shop.svc"},
                  {"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
                "resources":{"requests":{"cpu":"500m","memory":"768Mi"},"limits":{"memory":"768Mi"}},
                "readinessProbe":{"httpGet":{"path":"/ready","port":8080},"periodSeconds":5},
                "livenessProbe":{"httpGet":{"path":"/live","port":8080},"periodSeconds":10},
                "volumeMounts":[{"name":"kube-api-access-x1y2z","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true}]},
               {"name":"envoy","image":"envoyproxy/envoy:v1.31.2","resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}],
              "volumes":[{"name":"kube-api-access-x1y2z","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}}]}}],
              "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},
             "status":{"phase":"Running","hostIP":"10.0.12.34","podIP":"10.0.40.17","startTime":"CREATED",
              "conditions":[{"type":"PodReadyToStartContainers","status":"True","lastTransitionTime":"CREATED"},
               {"type":"Initialized","status":"True","lastTransitionTime":"CREATED"},
               {"type":"Ready","status":"True","lastTransitionTime":"CREATED"},
               {"type":"ContainersReady","status":"True","lastTransitionTime":"CREATED"},
               {"type":"PodScheduled","status":"True","lastTransitionTime":"CREATED"}],
              "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"started":true,
                "image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/checkout:2.14.3",
                "imageID":"123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/checkout@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "containerID":"containerd://0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "state":{"running":{"startedAt":"CREATED"}}},
               {"name":"envoy","ready":true,"restartCount":1,"started":true,"image":"envoyproxy/envoy:v1.31.2",
                "imageID":"docker.io/envoyproxy/envoy@sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
                "containerID":"containerd://fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
                "state":{"running":{"startedAt":"CREATED"}}}]}}
            """;

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        boolean wide = args.length > 1 && args[1].equals("wide");
        KubernetesSerialization serialization = new KubernetesSerialization();
        CachedKind<Pod> kind = ControllerKinds.PODS;
        SlimItemStore<Pod> store = wide
                ? new SlimItemStore<>(Pod.class, serialization, List.of("metadata.uid", "metadata.creationTimestamp",
                        "metadata.annotations", "status.conditions", "status.containerStatuses"))
                : new SlimItemStore<>(Pod.class, serialization, kind.storedFields(), kind.keptAnnotations());
        // warm up (classes, serializer caches) outside the measure
        Pod first = serialization.unmarshal(POD.replace("ANNOTATIONS", "").replace("\"NAME\"", "\"warm-up\"")
                .replace("UID", "u").replace("RV", "1"), Pod.class);
        new SlimItemStore<>(Pod.class, serialization, kind.storedFields(), kind.keptAnnotations()).put("x", first);
        long before = usedAfterGc();
        Instant start = Instant.parse("2026-11-27T00:00:00Z");
        for (int i = 0; i < count; i++) {
            String json = POD.replace("ANNOTATIONS", i % 2 == 0 ? "\"headstart.dev/applied\":\"startup-probe,pull-policy\"," : "")
                    .replace("\"NAME\"", "\"checkout-7d9c5b6f8-" + Integer.toString(i, 36) + "\"")
                    .replace("shop-NS", "shop-" + i % 200)
                    .replace("UID", UUID.randomUUID().toString())
                    .replace("RV", Long.toString(100_000_000L + i))
                    .replace("CREATED", start.plusSeconds(i).toString());
            Pod pod = serialization.unmarshal(json, Pod.class); // as the watch delivers it
            store.put(store.getKey(pod), pod);
        }
        long after = usedAfterGc();
        System.out.printf("%s store: %d pods, %d bytes of heap per pod after a full GC (%.1f MiB per 150k pods)%n",
                wide ? "wide" : "PODS", store.size(), (after - before) / count, (after - before) / (double) count * 150_000 / (1 << 20));
        // What fabric8's ProcessorStore.retainAll holds at the end of every list: the whole store rebuilt.
        List<Pod> rebuilt = store.all().collect(java.util.stream.Collectors.toList());
        long held = usedAfterGc();
        System.out.printf("every pod rebuilt at once (retainAll after a list): %d more bytes per pod (%.1f MiB per 150k pods)%n",
                (held - after) / count, (held - after) / (double) count * 150_000 / (1 << 20));
        System.out.println(rebuilt.size() == store.size() ? "" : "?");
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
