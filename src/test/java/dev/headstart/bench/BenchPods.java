package dev.headstart.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import dev.headstart.rules.Workload;
import dev.headstart.testing.Reviews;

/** Pods of a given size for the microbenchmarks: every container needs every rule, or none does. */
final class BenchPods {

    private BenchPods() {
    }

    /** The engine the server builds without a cluster: documented defaults, the configured class. */
    static RuleEngine engine() {
        RuleSettings settings = RuleSettings.defaults();
        return RuleSet.engine(settings, name -> name.equals(settings.priorityClassName())
                ? java.util.Optional.of(new PriorityClassSpec(1_000_000, "PreemptLowerPriority"))
                : java.util.Optional.empty());
    }

    /** pod-needs-all.json with its containers repeated up to {@code containers}, distinct names. */
    static ObjectNode needsAll(int containers) {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ArrayNode list = (ArrayNode) pod.at("/spec/containers");
        ArrayNode templates = list.deepCopy();
        list.removeAll();
        for (int i = 0; i < containers; i++) {
            ObjectNode c = (ObjectNode) templates.get(i % templates.size()).deepCopy();
            c.put("name", c.path("name").asText() + "-" + i);
            list.add(c);
        }
        return pod;
    }

    /** The same pod as the webhook leaves it: nothing left to do. */
    static ObjectNode alreadyMutated(int containers) {
        ObjectNode pod = needsAll(containers);
        return engine().mutate(Workload.of(pod).orElseThrow()).mutated();
    }
}
