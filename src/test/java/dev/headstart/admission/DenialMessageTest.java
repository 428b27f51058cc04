package dev.headstart.admission;

import dev.headstart.rules.Finding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DenialMessageTest {

    @Test
    void listsEachFindingWithItsFix() {
        String message = ValidatingHandler.denialMessage(List.of(
                new Finding("startup-probe", "container web has a readinessProbe but no startupProbe", "add a startupProbe"),
                new Finding("priority-class", "pod has no priorityClassName", "")));
        assertThat(message).isEqualTo("""
                headstart: denied by 2 failed rule checks:
                - startup-probe: container web has a readinessProbe but no startupProbe (fix: add a startupProbe)
                - priority-class: pod has no priorityClassName""");
    }

    @Test
    void staysBoundedWithManyFindings() {
        List<Finding> many = new ArrayList<>();
        for (int i = 0; i < 55; i++) {
            many.add(new Finding("pull-policy", "container c" + i + " pulls on every start", "set IfNotPresent"));
        }
        String message = ValidatingHandler.denialMessage(many);
        assertThat(message.lines()).hasSize(1 + ValidatingHandler.MAX_LISTED_FINDINGS + 1);
        assertThat(message).contains("container c19 ").doesNotContain("container c20 ").endsWith("- and 35 more");
    }

    @Test
    void modesParse() {
        assertThat(ValidationMode.parse(" Enforce ")).contains(ValidationMode.ENFORCE);
        assertThat(ValidationMode.parse("audit")).contains(ValidationMode.AUDIT);
        assertThat(ValidationMode.parse("deny")).isEmpty();
        assertThat(ValidationMode.parse(null)).isEmpty();
    }
}
