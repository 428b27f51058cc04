package dev.headstart.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.testing.Reviews;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Deterministic generator of malformed and hostile AdmissionReview bodies, derived from valid
 * reviews: byte flips and truncations, random JSON of wrong shapes, wrong types in every field,
 * huge strings, nesting near and past the depth limit, duplicate keys, invalid UTF-8, NaN and huge
 * numbers. Same seed, same bodies.
 */
final class HostileReviews {

    /** One generated body and how it was made (for assertion messages). */
    record Case(String how, byte[] body) {
        @Override
        public String toString() {
            return how + " (" + body.length + " bytes)";
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] SEEDS = {"objects/pod-needs-all.json", "objects/daemonset-kube-proxy.json",
            "objects/daemonset-aws-node.json"};

    private final Random random;
    private final List<ObjectNode> valid = new ArrayList<>();

    HostileReviews(long seed) {
        this.random = new Random(seed);
        for (String seedObject : SEEDS) {
            for (String op : new String[] {"CREATE", "UPDATE"}) {
                ObjectNode review = Reviews.review("admission.k8s.io/v1", op, Reviews.object(seedObject));
                ((ObjectNode) review.get("request")).put("uid", "fuzz-" + valid.size());
                valid.add(review);
            }
        }
    }

    Case next() {
        ObjectNode review = valid.get(random.nextInt(valid.size())).deepCopy();
        return switch (random.nextInt(11)) {
            case 0 -> byteFlips(review);
            case 1 -> truncated(review);
            case 2 -> new Case("random top-level JSON", bytes(randomNode(4)));
            case 3, 4 -> wrongTypeSomewhere(review);
            case 5 -> hugeString(review);
            case 6 -> deepNesting(review);
            case 7 -> duplicateKeys(review);
            case 8 -> invalidUtf8(review);
            case 9 -> oddNumbers(review);
            default -> removedField(review);
        };
    }

    private Case byteFlips(ObjectNode review) {
        byte[] body = bytes(review);
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
            body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        }
        return new Case(flips + " byte flips", body);
    }

    private Case truncated(ObjectNode review) {
        byte[] body = bytes(review);
        int at = random.nextInt(body.length);
        return new Case("truncated at " + at, Arrays.copyOf(body, at));
    }

    /** A node of the review: its JSON Pointer, its parent and its (unescaped) key in that parent. */
    private record Location(String path, JsonNode parent, String key) {
    }

    /** Any node of the review, top level to leaves, chosen at random. */
    private Location anyLocation(ObjectNode review) {
        List<String> paths = new ArrayList<>();
        collect(review, "", paths);
        String path = paths.get(random.nextInt(paths.size()));
        int slash = path.lastIndexOf('/');
        return new Location(path, review.at(path.substring(0, slash)),
                path.substring(slash + 1).replace("~1", "/").replace("~0", "~"));
    }

    /** Any node of the review (top level to leaves) replaced by a random value of another shape. */
    private Case wrongTypeSomewhere(ObjectNode review) {
        Location at = anyLocation(review);
        JsonNode value = randomNode(2);
        if (at.parent() instanceof ObjectNode o) {
            o.set(at.key(), value);
        } else if (at.parent() instanceof ArrayNode a) {
            a.set(Integer.parseInt(at.key()), value);
        }
        return new Case("wrong type at " + at.path(), bytes(review));
    }

    private Case removedField(ObjectNode review) {
        Location at = anyLocation(review);
        if (at.parent() instanceof ObjectNode o) {
            o.remove(at.key());
        } else if (at.parent() instanceof ArrayNode a) {
            a.remove(Integer.parseInt(at.key()));
        }
        return new Case("removed " + at.path(), bytes(review));
    }

    private Case hugeString(ObjectNode review) {
        String huge = "x".repeat(256 * 1024 + random.nextInt(768 * 1024));
        String[] targets = {"/request/object/metadata/name", "/request/uid", "/request/operation",
                "/request/object/kind", "/request/object/metadata/annotations/big"};
        String target = targets[random.nextInt(targets.length)];
        JsonNode parent = review.at(target.substring(0, target.lastIndexOf('/')));
        if (parent instanceof ObjectNode o) {
            o.put(target.substring(target.lastIndexOf('/') + 1), huge);
        } else {
            ((ObjectNode) review.at("/request/object/metadata")).put("name", huge);
        }
        return new Case("huge string at " + target, bytes(review));
    }

    /** Nesting from well inside to just past the mapper's limit (200), in the object's pod spec. */
    private Case deepNesting(ObjectNode review) {
        int depth = 150 + random.nextInt(70);
        boolean arrays = random.nextBoolean();
        String open = arrays ? "[" : "{\"a\":";
        String close = arrays ? "]" : "}";
        String deep = open.repeat(depth) + "1" + close.repeat(depth);
        String body = new String(bytes(review), StandardCharsets.UTF_8);
        String marker = "\"restartPolicy\":";
        int at = body.indexOf(marker);
        String nested = at < 0 ? body.replaceFirst("\"uid\":", "\"deep\":" + deep + ",\"uid\":")
                : body.substring(0, at) + "\"deep\":" + deep + "," + body.substring(at);
        return new Case((arrays ? "arrays" : "objects") + " nested " + depth + " deep",
                nested.getBytes(StandardCharsets.UTF_8));
    }

    private Case duplicateKeys(ObjectNode review) {
        String body = new String(bytes(review), StandardCharsets.UTF_8);
        String[][] swaps = {
                {"\"uid\":", "\"uid\":\"dup-first\",\"uid\":"},
                {"\"object\":", "\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\"},\"object\":"},
                {"\"kind\":", "\"kind\":[],\"kind\":"},
                {"\"containers\":", "\"containers\":7,\"containers\":"},
                {"\"request\":", "\"request\":null,\"request\":"},
        };
        String[] swap = swaps[random.nextInt(swaps.length)];
        return new Case("duplicate key " + swap[0], body.replaceFirst(swap[0], java.util.regex.Matcher.quoteReplacement(swap[1]))
                .getBytes(StandardCharsets.UTF_8));
    }

    private Case invalidUtf8(ObjectNode review) {
        byte[] body = bytes(review);
        byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF0, (byte) 0x9F}, {(byte) 0xC0, (byte) 0xAF}};
        byte[] insert = bad[random.nextInt(bad.length)];
        // Inside a string value: just after an opening quote.
        int at;
        do {
            at = random.nextInt(body.length);
        } while (body[at] != '"');
        byte[] out = new byte[body.length + insert.length];
        System.arraycopy(body, 0, out, 0, at + 1);
        System.arraycopy(insert, 0, out, at + 1, insert.length);
        System.arraycopy(body, at + 1, out, at + 1 + insert.length, body.length - at - 1);
        return new Case("invalid UTF-8 at " + at, out);
    }

    private Case oddNumbers(ObjectNode review) {
        String[] numbers = {"NaN", "Infinity", "-Infinity", "1e999999", "-1e999999",
                "123456789012345678901234567890123456789", "0.0000000000000000000001", "-0", "1.5", "0x10", "01",
                "9".repeat(1200)};
        String number = numbers[random.nextInt(numbers.length)];
        String[] fields = {"\"priority\":0", "\"containerPort\":8080", "\"periodSeconds\":10",
                "\"initialDelaySeconds\":20", "\"dryRun\":false"};
        String field = fields[random.nextInt(fields.length)];
        String body = new String(bytes(review), StandardCharsets.UTF_8);
        String key = field.substring(0, field.indexOf(':') + 1);
        String replaced = body.contains(field) ? body.replace(field, key + number)
                : body.replaceFirst("\"uid\":", "\"n\":" + number + ",\"uid\":");
        return new Case("number " + number.substring(0, Math.min(number.length(), 20)) + " at " + key,
                replaced.getBytes(StandardCharsets.UTF_8));
    }

    /** The wrong values {@link #everyFieldWrongTyped} puts in each field. */
    private static final JsonNode[] WRONG = {NODES.nullNode(), NODES.numberNode(7), NODES.textNode("x"),
            NODES.booleanNode(true), NODES.arrayNode().add(1), NODES.objectNode().put("k", "v")};

    /**
     * Every field (every path, leaves and subtrees) of every seed review replaced in turn by each
     * value in {@link #WRONG} that differs from it in type: deterministic, complete coverage of
     * "wrong type in every field".
     */
    static List<Case> everyFieldWrongTyped() {
        List<Case> cases = new ArrayList<>();
        for (String seedObject : SEEDS) {
            ObjectNode review = Reviews.review("admission.k8s.io/v1", "CREATE", Reviews.object(seedObject));
            ((ObjectNode) review.get("request")).put("uid", "sweep");
            List<String> paths = new ArrayList<>();
            collect(review, "", paths);
            for (String path : paths) {
                for (JsonNode wrong : WRONG) {
                    ObjectNode copy = review.deepCopy();
                    int slash = path.lastIndexOf('/');
                    JsonNode parent = copy.at(path.substring(0, slash));
                    String key = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
                    JsonNode current = parent instanceof ArrayNode a ? a.get(Integer.parseInt(key)) : parent.get(key);
                    if (current.getNodeType() == wrong.getNodeType()) {
                        continue;
                    }
                    if (parent instanceof ObjectNode o) {
                        o.set(key, wrong.deepCopy());
                    } else {
                        ((ArrayNode) parent).set(Integer.parseInt(key), wrong.deepCopy());
                    }
                    cases.add(new Case(seedObject + " " + path + " = " + wrong, bytes(copy)));
                }
            }
        }
        return cases;
    }

    private JsonNode randomNode(int depth) {
        int pick = random.nextInt(depth <= 0 ? 7 : 9);
        return switch (pick) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt());
            case 3 -> NODES.numberNode(random.nextDouble() * 1e300);
            case 4 -> NODES.textNode(randomString());
            case 5 -> NODES.textNode("");
            case 6 -> NODES.numberNode(new java.math.BigInteger(200, random));
            case 7 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomNode(depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                String[] keys = {"kind", "name", "spec", "containers", "uid", "object", "metadata", "image", "", "~/"};
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(keys[random.nextInt(keys.length)], randomNode(depth - 1));
                }
                yield o;
            }
        };
    }

    private String randomString() {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            s.appendCodePoint(random.nextInt(4) == 0 ? 0x1F600 + random.nextInt(40) : 0x20 + random.nextInt(0x60));
        }
        return s.toString();
    }

    private static void collect(JsonNode node, String path, List<String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String p = path + "/" + f.getKey().replace("~", "~0").replace("/", "~1");
                out.add(p);
                collect(f.getValue(), p, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String p = path + "/" + i;
                out.add(p);
                collect(node.get(i), p, out);
            }
        }
    }

    private static byte[] bytes(JsonNode node) {
        return Reviews.bytes(node);
    }
}
