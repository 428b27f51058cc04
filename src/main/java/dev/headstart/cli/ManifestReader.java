package dev.headstart.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.headstart.json.Json;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests and kubectl dumps the way {@code kubectl apply -f} takes them, one
 * object at a time: a file (multi-document YAML, or JSON), a directory (its {@code *.yaml},
 * {@code *.yml} and {@code *.json} files sorted by name, not recursive) or {@code -} for standard
 * input. JSON or YAML is told from the content (a first character <code>&#123;</code> or <code>[</code> is JSON),
 * never from the file name.
 *
 * <p>Documents keep their input order; empty documents (a trailing {@code ---}) are left out. A
 * {@code kind: List} (what {@code kubectl get -o yaml} prints) and typed lists ({@code PodList},
 * ...) stand for their items, in order: the items are parsed one at a time from the token stream
 * and handed to the caller at once, so a dump of any size is read in the memory of its largest item
 * plus what the caller keeps. ({@code kubectl -o json} writes {@code items} before {@code kind}: an
 * {@code items} array met before the {@code kind} is taken as a list's.) {@code null} items are
 * skipped. An object the caller cannot use (its {@link Sink} throws) is skipped and counted in the
 * {@link Tally}; a syntax error ends the read with one line naming the file and line.
 */
final class ManifestReader {

    /** YAML needs its own parser; its depth limit matches the shared JSON mapper's. */
    static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Json.MAX_NESTING_DEPTH).build())
            .build());

    /** The default of {@code --max-document-size}: SnakeYAML counts in an int, so 2 GiB is its ceiling. */
    static final String DEFAULT_MAX_DOCUMENT_SIZE = "2Gi";
    static final String MAX_DOCUMENT_OPTION = "--max-document-size";

    /** Receives each object; a RuntimeException skips the object (counted, with its reason). */
    @FunctionalInterface
    interface Sink {
        void accept(JsonNode object);
    }

    /** How many objects were read and how many skipped, with the first reason. */
    static final class Tally {
        private long read;
        private long skipped;
        private String firstReason;

        long read() {
            return read;
        }

        long skipped() {
            return skipped;
        }

        void skip(String reason) {
            if (skipped++ == 0) {
                firstReason = reason;
            }
        }

        /** "3 objects skipped: first reason …", or null when none was. */
        String line() {
            if (skipped == 0) {
                return null;
            }
            return skipped + (skipped == 1 ? " object" : " objects") + " skipped: " + (skipped == 1 ? "" : "first reason: ")
                    + firstReason;
        }

        /**
         * Prints the skipped line (if any) on stderr; an InputException when objects were skipped
         * and none could be read at all (nothing left to report on).
         */
        void report(java.io.PrintWriter err) throws InputException {
            if (skipped > 0 && read == skipped) {
                throw new InputException(skipped == 1 ? firstReason
                        : "none of the " + skipped + " objects could be read; first reason: " + firstReason);
            }
            if (skipped > 0) {
                err.println("headstart: " + line());
                err.flush();
            }
        }
    }

    private final String source;
    private final InputStream stdin;
    private final long maxDocumentBytes;
    private final Tally tally = new Tally();

    ManifestReader(String source, InputStream stdin, long maxDocumentBytes) {
        this.source = source;
        this.stdin = stdin;
        this.maxDocumentBytes = maxDocumentBytes;
    }

    /** What {@link #each} has read and skipped so far. */
    Tally tally() {
        return tally;
    }

    /** The source's name in messages. */
    String from() {
        return source.equals("-") ? "standard input" : source;
    }

    /** All objects in a list (small inputs and tests; the commands stream with {@link #each}). */
    static List<JsonNode> read(String source, InputStream stdin) throws InputException {
        List<JsonNode> all = new ArrayList<>();
        new ManifestReader(source, stdin, parseSize(DEFAULT_MAX_DOCUMENT_SIZE)).each(all::add);
        return all;
    }

    /** Hands every object of the source to the sink, in input order. */
    void each(Sink sink) throws InputException {
        if (source.equals("-")) {
            parse("<stdin>", stdin, sink);
            return;
        }
        Path path = Path.of(source);
        if (Files.isDirectory(path)) {
            for (Path file : manifestsIn(path)) {
                readFile(file, sink);
            }
            return;
        }
        readFile(path, sink);
    }

    private static List<Path> manifestsIn(Path dir) throws InputException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> {
                        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new InputException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private void readFile(Path file, Sink sink) throws InputException {
        try (InputStream in = Files.newInputStream(file)) {
            parse(file.toString(), in, sink);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file or directory");
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private void parse(String name, InputStream raw, Sink sink) throws InputException {
        Watched in = new Watched(new BufferedInputStream(raw, 1 << 16));
        boolean json;
        try {
            json = startsLikeJson(in);
        } catch (IOException e) {
            throw new InputException("cannot read " + name + ": " + e.getMessage());
        }
        ObjectMapper mapper = json ? jsonMapper() : yamlMapper();
        try (JsonParser parser = mapper.createParser(in)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.START_OBJECT) {
                    document(mapper, parser, sink);
                } else if (token == JsonToken.VALUE_NULL
                        || (token == JsonToken.VALUE_STRING && parser.getText().isEmpty())) {
                    // an empty document (a trailing or doubled ---)
                } else {
                    emit(mapper.readTree(parser), sink);
                }
            }
        } catch (JacksonException e) {
            if (tooLarge(e)) {
                throw new InputException(name + ": a document is larger than " + MAX_DOCUMENT_OPTION + " ("
                        + human(maxDocumentBytes) + "); raise it, e.g. " + MAX_DOCUMENT_OPTION + "=" + human(maxDocumentBytes * 2));
            }
            if (!json && in.sawTemplate) {
                // Go template actions are not YAML; snakeyaml's event dump would only confuse.
                throw new InputException(name + ": not YAML \u2014 is it a template? render it first (helm template \u2026)");
            }
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ")";
            throw new InputException(name + ": not valid " + (json ? "JSON" : "YAML") + where + ": "
                    + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").strip());
        } catch (IOException e) {
            throw new InputException("cannot read " + name + ": " + e.getMessage());
        }
    }

    /**
     * One top-level object, its fields read one by one: a list's {@code items} are streamed, each
     * handed on as soon as it is parsed; any other object is built whole and handed on.
     */
    private void document(ObjectMapper mapper, JsonParser parser, Sink sink) throws IOException {
        ObjectNode head = mapper.createObjectNode();
        boolean streamed = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            String kind = head.path("kind").asText(null);
            if (field.equals("items") && value == JsonToken.START_ARRAY && (kind == null || kind.endsWith("List"))) {
                streamed = true;
                String itemKind = kind == null || kind.equals("List") ? null : kind.substring(0, kind.length() - "List".length());
                JsonNode apiVersion = head.get("apiVersion");
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (parser.currentToken() == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    JsonNode item = mapper.readTree(parser);
                    if (item instanceof ObjectNode object && itemKind != null) {
                        typed(object, itemKind, apiVersion);
                    }
                    emit(item, sink);
                }
            } else {
                head.set(field, mapper.readTree(parser));
            }
        }
        if (!streamed) {
            emit(head, sink);
        }
    }

    /** A typed list's items (as the API returns them) carry no kind: the list's, without "List". */
    private static void typed(ObjectNode item, String kind, JsonNode apiVersion) {
        if (!item.hasNonNull("kind")) {
            item.put("kind", kind);
        }
        if (!item.hasNonNull("apiVersion") && apiVersion != null && !apiVersion.isNull()) {
            item.set("apiVersion", apiVersion);
        }
    }

    /** Hands on one object (a nested list stands for its items); a sink failure skips it. */
    private void emit(JsonNode document, Sink sink) {
        if (document == null || document.isNull() || document.isMissingNode()) {
            return;
        }
        String kind = document.path("kind").asText("");
        JsonNode items = document.get("items");
        if (kind.endsWith("List") && items != null && items.isArray()) {
            String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - "List".length());
            for (JsonNode item : items) {
                if (item instanceof ObjectNode object && itemKind != null) {
                    typed(object, itemKind, document.get("apiVersion"));
                }
                emit(item, sink);
            }
            return;
        }
        tally.read++;
        try {
            sink.accept(document);
        } catch (RuntimeException e) {
            tally.skip("cannot read " + describe(document) + ": " + reason(e));
        }
    }

    /** {@code Pod shop/web}, as far as the object says. */
    static String describe(JsonNode object) {
        String kind = object.path("kind").asText("object");
        String namespace = object.at("/metadata/namespace").asText("");
        String name = object.at("/metadata/name").asText("");
        return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + (name.isEmpty() ? "(unnamed)" : name);
    }

    /** The first line of an exception's message, without Jackson's source excerpt. */
    static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause instanceof JacksonException j ? j.getOriginalMessage() : cause.getMessage();
        String first = message == null ? cause.getClass().getSimpleName() : message.lines().findFirst().orElse("").strip();
        return first.length() > 200 ? first.substring(0, 199) + "\u2026" : first;
    }

    private static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException && String.valueOf(t.getMessage()).contains("Document length")) {
                return true;
            }
            if (String.valueOf(t.getMessage()).contains("exceeds the limit")) { // SnakeYAML's codePointLimit
                return true;
            }
        }
        return false;
    }

    /** The first character that is not whitespace or a byte-order mark: '{' or '[' is JSON. */
    private static boolean startsLikeJson(InputStream in) throws IOException {
        in.mark(1 << 16);
        try {
            for (int i = 0; i < (1 << 16); i++) {
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0xEF || b == 0xBB || b == 0xBF) {
                    continue;
                }
                return b == '{' || b == '[';
            }
            return false;
        } finally {
            in.reset();
        }
    }

    private ObjectMapper jsonMapper() {
        return JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(Json.MAX_NESTING_DEPTH)
                                .maxDocumentLength(maxDocumentBytes)
                                .build())
                        .build())
                .build();
    }

    private ObjectMapper yamlMapper() {
        LoaderOptions loader = new LoaderOptions();
        // SnakeYAML refuses a document over 3 MiB by default: a dump of a few hundred pods.
        loader.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, maxDocumentBytes));
        return new YAMLMapper(YAMLFactory.builder()
                .loaderOptions(loader)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(Json.MAX_NESTING_DEPTH)
                        .maxDocumentLength(maxDocumentBytes)
                        .build())
                .build());
    }

    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*(Ki|Mi|Gi|Ti|k|M|G|T)?");

    /** {@code 2Gi}, {@code 500Mi}, {@code 100M} or plain bytes, as Kubernetes quantities are written. */
    static long parseSize(String text) throws InputException {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new InputException(MAX_DOCUMENT_OPTION + " must be a size like 2Gi or 500Mi, not '" + text + "'");
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            default -> 1L;
        };
        try {
            long size = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (size <= 0) {
                throw new InputException(MAX_DOCUMENT_OPTION + " must be positive");
            }
            return size;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new InputException(MAX_DOCUMENT_OPTION + " is too large: '" + text + "'");
        }
    }

    static String human(long bytes) {
        for (String unit : new String[] {"Ti", "Gi", "Mi", "Ki"}) {
            long size = switch (unit) {
                case "Ti" -> 1L << 40;
                case "Gi" -> 1L << 30;
                case "Mi" -> 1L << 20;
                default -> 1L << 10;
            };
            if (bytes >= size && bytes % size == 0) {
                return bytes / size + unit;
            }
        }
        return Long.toString(bytes);
    }

    /** Notes whether a Go template action (<code>&#123;&#123;</code>) went by, for the error message. */
    private static final class Watched extends FilterInputStream {
        private int last = -1;
        private int marked = -1;
        boolean sawTemplate;

        Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            see(b);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            for (int i = 0; i < n; i++) {
                see(buffer[offset + i]);
            }
            return n;
        }

        @Override
        public synchronized void mark(int limit) {
            super.mark(limit);
            marked = last;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            last = marked;
        }

        private void see(int b) {
            if (b == '{' && last == '{') {
                sawTemplate = true;
            }
            last = b;
        }
    }
}
