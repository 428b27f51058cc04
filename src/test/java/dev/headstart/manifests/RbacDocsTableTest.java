package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/operations.md's permissions table says exactly what the manifests grant: one row per rule
 * of every Role and ClusterRole (in any order), same groups, resources, verbs and names. On a
 * mismatch the message holds the table as the manifests say it, ready to paste (keeping each
 * row's "what for" where the rule is unchanged).
 */
class RbacDocsTableTest {

    static final Path DOC = Path.of("docs", "operations.md");
    static final String HEADING = "### Permissions";
    static final String HEADER = "| role | API group | resources | verbs | only these names | what for |";

    /** The first five cells of a row; the sixth ("what for") is prose. */
    record Row(String role, String group, String resources, String verbs, String names) {

        String cells() {
            return "| " + role + " | " + group + " | " + resources + " | " + verbs + " | " + names + " |";
        }
    }

    static List<Row> fromManifests(ManifestSet set) {
        List<Row> rows = new ArrayList<>();
        for (String kind : List.of("ClusterRole", "Role")) {
            for (JsonNode role : set.ofKind(kind)) {
                String ns = role.path("metadata").path("namespace").asText("");
                String ref = kind + " `" + role.path("metadata").path("name").asText() + "`"
                        + (ns.isEmpty() ? "" : " (" + ns + ")");
                for (JsonNode rule : role.path("rules")) {
                    List<String> groups = new ArrayList<>();
                    rule.path("apiGroups").forEach(g -> groups.add(g.asText().isEmpty() ? "core" : g.asText()));
                    rows.add(new Row(ref, String.join(", ", groups), join(rule.path("resources")),
                            join(rule.path("verbs")), join(rule.path("resourceNames"))));
                }
            }
        }
        return rows;
    }

    private static String join(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return String.join(", ", out);
    }

    /** The table under the heading: row cells without the last one, mapped to that last one. */
    static Map<Row, String> fromDoc(String markdown) {
        int at = markdown.indexOf("\n" + HEADING + "\n");
        assertThat(at).as(DOC + " has a section " + HEADING).isNotNegative();
        List<String> lines = markdown.substring(at + 1).lines().toList();
        int start = lines.indexOf(HEADER);
        assertThat(start).as("the table header in " + HEADING + ": " + HEADER).isPositive();
        Map<Row, String> rows = new LinkedHashMap<>();
        for (String line : lines.subList(start + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("\\|", -1);
            assertThat(cells).as("six cells in: " + line).hasSize(6);
            rows.put(new Row(cells[0].strip(), cells[1].strip(), cells[2].strip(), cells[3].strip(), cells[4].strip()),
                    cells[5].strip());
        }
        return rows;
    }

    @Test
    void theTableListsEveryRuleOfEveryRoleExactly() throws IOException {
        ManifestSet set = ManifestSet.rendered(ManifestSet.MANIFESTS).orElseGet(() -> ManifestSet.files(ManifestSet.MANIFESTS));
        List<Row> expected = fromManifests(set);
        Map<Row, String> documented = fromDoc(Files.readString(DOC));

        StringBuilder table = new StringBuilder(HEADER + "\n|---|---|---|---|---|---|\n");
        for (Row row : expected) {
            String why = documented.getOrDefault(row, "TODO: what needs it");
            table.append(row.cells()).append(' ').append(why).append(" |\n");
        }
        assertThat(List.copyOf(documented.keySet())).as(DOC + " " + HEADING + " differs from " + set
                + "; as the manifests say it:\n\n" + table).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(documented.values()).as("every row says what it is for").noneMatch(String::isBlank)
                .noneMatch(w -> w.startsWith("TODO"));
    }
}
