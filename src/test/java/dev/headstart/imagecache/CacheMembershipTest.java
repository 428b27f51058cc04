package dev.headstart.imagecache;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CacheMembershipTest {

    @Test
    void changesSetWhatIsMissingRemoveWhatIsNoLongerPlannedAndLeaveOtherLabelsAlone() {
        Map<String, String> labels = new HashMap<>(Map.of("team", "a", "cache.headstart.dev/old", "true",
                "cache.headstart.dev/kept", "true"));

        Map<String, String> changes = CacheMembership.changes(labels, Set.of("kept", "new"));

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("cache.headstart.dev/new", "true");
        expected.put("cache.headstart.dev/old", null);
        assertThat(changes).isEqualTo(expected);
        assertThat(CacheMembership.changes(Map.of("cache.headstart.dev/kept", "true"), Set.of("kept"))).isEmpty();
        assertThat(CacheMembership.groupsOf(labels)).containsExactly("kept", "old");
    }

    @Test
    void nodeFactsIgnoreMembershipLabelsSoTheControllersOwnWritesChangeNoPlanInput() {
        NodeFacts plain = new NodeFacts("n1", Map.of("kubernetes.io/os", "linux"), List.of());
        NodeFacts labelled = new NodeFacts("n1", Map.of("kubernetes.io/os", "linux", "cache.headstart.dev/abc", "true"), List.of());
        assertThat(labelled).isEqualTo(plain);
    }
}
