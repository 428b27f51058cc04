package dev.headstart.rbac;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests as the API server's authorizer sees them (requestinfo.go), one case per rule of the parser. */
class ApiRequestTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | /api/v1/nodes                                                       | list core/nodes (cluster)
            GET    | /api/v1/nodes?watch=true&resourceVersion=12&allowWatchBookmarks=true | watch core/nodes (cluster)
            GET    | /api/v1/nodes?watch=false                                           | list core/nodes (cluster)
            GET    | /api/v1/nodes?watch=1                                               | watch core/nodes (cluster)
            GET    | /api/v1/watch/nodes                                                 | watch core/nodes (cluster)
            GET    | /api/v1/nodes/n1                                                    | get core/nodes (cluster) name=n1
            GET    | /api/v1/namespaces/hs/configmaps?fieldSelector=metadata.name%3Dparams | list core/configmaps in hs name=params
            GET    | /api/v1/namespaces/hs/configmaps?watch=true&fieldSelector=metadata.name%3D%3Dparams | watch core/configmaps in hs name=params
            GET    | /api/v1/namespaces/hs/configmaps?fieldSelector=metadata.name%21%3Dparams | list core/configmaps in hs
            GET    | /api/v1/namespaces/hs/configmaps?fieldSelector=metadata.name%3Da%2Fb  | list core/configmaps in hs
            GET    | /api/v1/namespaces/hs/pods?labelSelector=a%3Db&limit=250&continue=x  | list core/pods in hs
            GET    | /api/v1/pods?limit=500                                              | list core/pods (cluster)
            GET    | /api/v1/namespaces                                                  | list core/namespaces (cluster)
            GET    | /api/v1/namespaces/shop                                             | get core/namespaces in shop name=shop
            PUT    | /api/v1/namespaces/shop/finalize                                    | update core/namespaces/finalize in shop name=shop
            GET    | /api/v1/namespaces/shop/pods/p/log                                  | get core/pods/log in shop name=p
            PATCH  | /api/v1/namespaces/shop/pods/p/status                               | patch core/pods/status in shop name=p
            POST   | /api/v1/namespaces/shop/pods?dryRun=All                             | create core/pods in shop [dry-run]
            POST   | /api/v1/namespaces/default/events                                   | create core/events in default
            PATCH  | /apis/apps/v1/namespaces/shop/daemonsets/cache                      | patch apps/daemonsets in shop name=cache
            PUT    | /apis/coordination.k8s.io/v1/namespaces/hs/leases/lead              | update coordination.k8s.io/leases in hs name=lead
            POST   | /apis/scheduling.k8s.io/v1/priorityclasses                          | create scheduling.k8s.io/priorityclasses (cluster)
            DELETE | /apis/scheduling.k8s.io/v1/priorityclasses/headroom                 | delete scheduling.k8s.io/priorityclasses (cluster) name=headroom
            DELETE | /api/v1/namespaces/shop/pods                                        | deletecollection core/pods in shop
            GET    | /apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/r       | get wgpolicyk8s.io/policyreports in shop name=r
            GET    | /version                                                            | get /version
            GET    | /apis                                                               | get /apis
            GET    | /apis/apps/v1                                                       | get /apis/apps/v1
            GET    | /api/v1                                                             | get /api/v1
            """)
    void parsesLikeTheApiServer(String method, String path, String expected) {
        assertThat(ApiRequest.parse(method, path).describe()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /api/v1/pods?dryRun=All | true
            /api/v1/pods?dryRun=    | false
            /api/v1/pods            | false
            """)
    void dryRunIsNotedButNeedsTheSameVerb(String path, boolean dryRun) {
        ApiRequest request = ApiRequest.parse("POST", path.strip());
        assertThat(request.dryRun()).isEqualTo(dryRun);
        assertThat(request.verb()).isEqualTo("create");
    }
}
