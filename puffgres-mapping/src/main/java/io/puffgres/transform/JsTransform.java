package io.puffgres.transform;

import io.puffgres.document.AttributeSchema;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.event.RowEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/**
 * A transform written as an ES module and run by GraalJS in a sandbox: no host access, no file or network
 * I/O, no threads, processes, environment or polyglot access, no {@code load}/{@code print}/{@code Intl}.
 * Deterministic: {@code Date.now()} and {@code new Date()} give the event's commit time and {@code Math.random()}
 * is seeded from the event's LSN and id. Each call is bounded in time and in bytes allocated ({@link
 * CallWatchdog}); strings and typed arrays are capped in length. One context per instance: not thread-safe.
 */
public final class JsTransform implements Transform {

    /** A transform call should take microseconds; a second means a runaway loop. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Bytes one call may allocate; generous for building a document, small next to a default heap. */
    public static final long DEFAULT_MAX_ALLOCATION = 256L * 1024 * 1024;
    /** Longest string a transform may build (UTF-16 units); keeps one string far below the heap size. */
    static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;
    /** Longest typed array; a 768-dim embedding is tiny next to this. */
    static final int MAX_TYPED_ARRAY_LENGTH = 16 * 1024 * 1024;

    private static final Engine ENGINE = Engine.newBuilder("js")
            .option("engine.WarnInterpreterOnly", "false")
            .out(OutputStream.nullOutputStream())
            .err(OutputStream.nullOutputStream())
            .build();

    private static final String PRELUDE = """
            (function () {
              const RealDate = Date;
              let clock = 0;
              function PuffgresDate(...args) {
                if (!new.target) return new RealDate(clock).toString();
                return args.length === 0 ? new RealDate(clock) : new RealDate(...args);
              }
              PuffgresDate.prototype = RealDate.prototype;
              RealDate.prototype.constructor = PuffgresDate;
              PuffgresDate.now = () => clock;
              PuffgresDate.UTC = RealDate.UTC;
              PuffgresDate.parse = RealDate.parse;
              globalThis.Date = PuffgresDate;
              delete globalThis.Java;
              let seed = 0;
              Math.random = function () {
                seed = (seed + 0x6D2B79F5) | 0;
                let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
                t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
                return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
              };
              // One string back to the host instead of a boundary crossing per attribute:
              // "S" skip, "D" delete, else "O" + the names of Date attributes (each + NUL) + SOH + JSON.
              return function (fn, rowJson, ctx, time, s) {
                clock = time;
                seed = s;
                const out = fn(JSON.parse(rowJson), ctx);
                if (out === null || out === undefined) return 'S';
                if (out instanceof Promise) {
                  throw new TypeError('the transform returned a Promise; transforms must be synchronous');
                }
                if (typeof out !== 'object' || Array.isArray(out)) {
                  throw new TypeError('the transform must return an object, null, or { $delete: true } (got '
                      + String(out) + ')');
                }
                if (out.$delete === true) return 'D';
                let dates = '';
                for (const k in out) {
                  const v = out[k];
                  if (typeof v === 'number' && !Number.isFinite(v)) {
                    throw new TypeError('attribute "' + k + '" is ' + v + '; turbopuffer JSON has no NaN or Infinity');
                  } else if (v instanceof Date) {
                    dates += k + '\\0';
                  } else if (ArrayBuffer.isView(v)) {
                    out[k] = Array.from(v);
                  }
                }
                return 'O' + dates + '\\u0001' + JSON.stringify(out);
              };
            })()
            """;

    private final Context context;
    private final Value call;
    private final Value entry;
    private final String fileName;
    private final Map<String, AttributeSchema> hints;
    private final Duration timeout;
    private final long maxAllocation;
    private final JsContextProxy ctxProxy = new JsContextProxy();

    private JsTransform(
            Context context,
            Value call,
            Value entry,
            String fileName,
            Map<String, AttributeSchema> hints,
            Duration timeout,
            long maxAllocation) {
        this.context = context;
        this.call = call;
        this.entry = entry;
        this.fileName = fileName;
        this.hints = Map.copyOf(hints);
        this.timeout = timeout;
        this.maxAllocation = maxAllocation;
    }

    /** Loads {@code file} and its export {@code entry} with the default limits. */
    public static JsTransform load(Path file, String entry, Map<String, AttributeSchema> hints)
            throws TransformLoadException {
        return load(file, entry, hints, DEFAULT_TIMEOUT, DEFAULT_MAX_ALLOCATION);
    }

    /**
     * Loads the ES module {@code file} and checks that it exports a function {@code entry}.
     *
     * @param hints the migration's tp_schema, used to type returned values (float, uuid, datetime, vectors)
     * @throws TransformLoadException naming file, line and column of a syntax error or the missing export
     */
    public static JsTransform load(
            Path file, String entry, Map<String, AttributeSchema> hints, Duration timeout, long maxAllocation)
            throws TransformLoadException {
        String name = file.getFileName().toString();
        Source source;
        try {
            source = Source.newBuilder("js", file.toFile())
                    .mimeType("application/javascript+module")
                    .build();
        } catch (IOException e) {
            throw new TransformLoadException(name + ": cannot read the file: " + e.getMessage(), e);
        }
        Context context = sandbox();
        try {
            Value exports = context.eval(source);
            Value fn = exports.getMember(entry);
            if (fn == null || !fn.canExecute()) {
                throw new TransformLoadException(
                        java.util.List.of(name + ": does not export a function named \"" + entry + "\""));
            }
            Value call = context.eval("js", PRELUDE);
            return new JsTransform(context, call, fn, name, hints, timeout, maxAllocation);
        } catch (PolyglotException e) {
            context.close(true);
            throw new TransformLoadException(java.util.List.of(position(e, name) + e.getMessage()));
        } catch (TransformLoadException e) {
            context.close(true);
            throw e;
        }
    }

    private static Context sandbox() {
        return Context.newBuilder("js")
                .engine(ENGINE)
                .allowHostAccess(HostAccess.NONE)
                .allowHostClassLookup(className -> false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowExperimentalOptions(true)
                .option("js.esm-eval-returns-exports", "true")
                .option("js.load", "false")
                .option("js.print", "false")
                .option("js.polyglot-builtin", "false")
                .option("js.polyglot-evalfile", "false")
                .option("js.java-package-globals", "false")
                .option("js.intl-402", "false")
                .option("js.timezone", "UTC")
                .option("js.string-length-limit", Integer.toString(MAX_STRING_LENGTH))
                .option("js.max-typed-array-length", Integer.toString(MAX_TYPED_ARRAY_LENGTH))
                .build();
    }

    @Override
    public Action apply(RowEvent event, DocId id, TransformContext ctx) {
        ctxProxy.set(event, id, ctx);
        long seed = event.lsn() * 31 + id.hashCode();
        Value result;
        try (CallWatchdog.Call watched = CallWatchdog.get().watch(context, timeout, maxAllocation)) {
            try {
                result = call.execute(
                        entry,
                        JsValues.rowJson(event.after()),
                        ctxProxy,
                        event.commitTime().toEpochMilli(),
                        (int) seed);
            } catch (PolyglotException e) {
                return error(e, watched.tripped());
            }
        }
        return toAction(result, id);
    }

    private Action toAction(Value result, DocId id) {
        String encoded = result.asString();
        if (encoded.equals("S")) {
            return new Action.Skip("the transform returned null");
        }
        if (encoded.equals("D")) {
            return new Action.Delete(id);
        }
        int split = encoded.indexOf('\u0001');
        try {
            return new Action.Upsert(new Document(
                    id, JsValues.attributes(encoded.substring(split + 1), encoded.substring(1, split), id, hints)));
        } catch (JsValues.BadOutput e) {
            return new Action.Error("transform", fileName + ": " + e.getMessage(), "");
        }
    }

    private Action error(PolyglotException e, String tripped) {
        if (tripped != null || e.isInterrupted() || e.isCancelled()) {
            String reason = tripped == null ? "timeout" : tripped;
            String message = reason.equals("memory")
                    ? "the transform allocated more than " + (maxAllocation >> 20) + " MiB in one call and was stopped"
                    : "the transform ran longer than " + timeout.toMillis() + " ms and was stopped";
            return new Action.Error(reason, fileName + ": " + message, "");
        }
        if (e.isResourceExhausted()) {
            return new Action.Error("memory", fileName + ": " + e.getMessage(), "");
        }
        if (e.isHostException() && e.asHostException() instanceof EmbeddingException embed) {
            return new Action.Error("embed", embed.getMessage(), "");
        }
        StringBuilder stack = new StringBuilder();
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            if (frame.isGuestFrame()
                    && frame.getSourceLocation() != null
                    && frame.getSourceLocation().getSource().getName().equals(fileName)) {
                SourceSection at = frame.getSourceLocation();
                stack.append("    at ")
                        .append(frame.getRootName())
                        .append(" (")
                        .append(fileName)
                        .append(':')
                        .append(at.getStartLine())
                        .append(':')
                        .append(at.getStartColumn())
                        .append(")\n");
            }
        }
        return new Action.Error("transform", position(e, fileName) + e.getMessage(), stack.toString());
    }

    private static String position(PolyglotException e, String fileName) {
        SourceSection at = e.getSourceLocation();
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            if (at == null
                    && frame.isGuestFrame()
                    && frame.getSourceLocation() != null
                    && frame.getSourceLocation().getSource().getName().equals(fileName)) {
                at = frame.getSourceLocation();
            }
        }
        if (at == null) {
            return fileName + ": ";
        }
        return at.getSource().getName() + ":" + at.getStartLine() + ":" + at.getStartColumn() + ": ";
    }

    @Override
    public void close() {
        context.close(true);
    }
}
