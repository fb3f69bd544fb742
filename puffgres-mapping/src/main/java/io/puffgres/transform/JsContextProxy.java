package io.puffgres.transform;

import io.puffgres.document.DocId;
import io.puffgres.event.RowEvent;
import java.time.Instant;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The {@code ctx} argument of a JS transform: {@code id}, {@code op}, {@code lsn}, {@code table},
 * {@code commitTime} of the current event (the transform's clock, {@link JsTransform#clock}), and {@code embed(text)}, which calls the host. Reused across calls of
 * one transform (not thread-safe).
 */
final class JsContextProxy implements ProxyObject {

    private static final List<String> KEYS = List.of("id", "op", "lsn", "table", "commitTime", "embed");

    private RowEvent event;
    private DocId id;
    private TransformContext host;

    private final ProxyExecutable embed = args -> {
        if (args.length != 1 || !args[0].isString()) {
            throw new IllegalArgumentException("ctx.embed(text) takes one string");
        }
        float[] vector = host.embed(args[0].asString());
        Object[] boxed = new Object[vector.length];
        for (int i = 0; i < vector.length; i++) {
            boxed[i] = (double) vector[i];
        }
        return ProxyArray.fromArray(boxed);
    };

    void set(RowEvent event, DocId id, TransformContext host) {
        this.event = event;
        this.id = id;
        this.host = host;
    }

    @Override
    public Object getMember(String key) {
        return switch (key) {
            case "id" ->
                id instanceof DocId.Uint u && u.value() >= 0 && u.value() <= (1L << 53)
                        ? (Object) u.value()
                        : id.toString();
            case "op" -> event.op().name().toLowerCase();
            case "lsn" -> event.lsnText();
            case "table" -> event.relation().toString();
            case "commitTime" -> Instant.ofEpochMilli(JsTransform.clock(event)).toString();
            case "embed" -> embed;
            default -> null;
        };
    }

    @Override
    public Object getMemberKeys() {
        return ProxyArray.fromList(List.copyOf(KEYS));
    }

    @Override
    public boolean hasMember(String key) {
        return KEYS.contains(key);
    }

    @Override
    public void putMember(String key, Value value) {
        throw new UnsupportedOperationException("ctx is read-only");
    }
}
