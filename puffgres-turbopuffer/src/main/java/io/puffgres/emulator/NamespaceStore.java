package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * All namespaces of an emulator, in memory, optionally persisted to a directory as one append-only log per
 * namespace ({@code <name>.log}, one JSON line per acknowledged write or schema update, with its time). A restart
 * on the same directory replays the logs. Logs are not compacted: fine for development data sets.
 */
final class NamespaceStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Namespace> namespaces = new ConcurrentSkipListMap<>();
    private final Path dataDir;

    NamespaceStore(Path dataDir) {
        this.dataDir = dataDir;
        if (dataDir != null) {
            load();
        }
    }

    Namespace get(String name) {
        Namespace ns = namespaces.get(name);
        if (ns == null) {
            throw TpufError.notFound(name);
        }
        return ns;
    }

    /** Sorted namespace names. */
    List<String> names() {
        return List.copyOf(namespaces.keySet());
    }

    ObjectNode write(String name, ObjectNode body, Instant now) {
        Namespace ns = namespaces.computeIfAbsent(name, n -> new Namespace(n, now));
        synchronized (ns) {
            try {
                ObjectNode result = WriteOp.apply(ns, body, now);
                log(name, "write", body, now);
                return result;
            } catch (RuntimeException e) {
                if (ns.docs.isEmpty() && ns.schema.isEmpty() && ns.lastWriteAt == null) {
                    namespaces.remove(name, ns); // a failed first write creates nothing
                }
                throw e;
            }
        }
    }

    ObjectNode updateSchema(String name, JsonNode body, Instant now) {
        Namespace ns = get(name);
        synchronized (ns) {
            ObjectNode result = ns.updateSchema(body, now);
            log(name, "schema", body, now);
            return result;
        }
    }

    void delete(String name) {
        if (namespaces.remove(name) == null) {
            throw TpufError.notFound(name);
        }
        if (dataDir != null) {
            try {
                Files.deleteIfExists(dataDir.resolve(name + ".log"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    void clear() {
        for (String name : names()) {
            delete(name);
        }
    }

    private void log(String name, String kind, JsonNode body, Instant now) {
        if (dataDir == null) {
            return;
        }
        ObjectNode entry = Values.JSON.objectNode().put("t", now.toString()).put("kind", kind);
        entry.set("body", body);
        try {
            Files.writeString(
                    dataDir.resolve(name + ".log"),
                    entry + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist namespace " + name, e);
        }
    }

    private void load() {
        try {
            Files.createDirectories(dataDir);
            try (Stream<Path> logs = Files.list(dataDir)) {
                for (Path log :
                        logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                    String file = log.getFileName().toString();
                    replay(file.substring(0, file.length() - ".log".length()), log);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the emulator data directory " + dataDir, e);
        }
    }

    private void replay(String name, Path log) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode entry = JSON.readTree(line);
                Instant t = Instant.parse(entry.get("t").asText());
                Namespace ns = namespaces.computeIfAbsent(name, n -> new Namespace(n, t));
                if (entry.get("kind").asText().equals("schema")) {
                    ns.updateSchema(entry.get("body"), t);
                } else {
                    WriteOp.apply(ns, (ObjectNode) entry.get("body"), t);
                }
            }
        }
    }
}
