package io.puffgres.transform;

import io.puffgres.document.AttributeSchema;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.event.Op;
import io.puffgres.event.RowEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * Deterministic: the clock and {@code Math.random()} are replaced before the module's own code runs, so top-level
 * code cannot keep the real ones; {@code Date.now()} and {@code new Date()} give {@link #clock(RowEvent)} and
 * {@code Math.random()} is seeded from the event's LSN and id (top-level code sees time 0 and seed 0). The module's
 * evaluation and each call are bounded in time and in bytes allocated ({@link CallWatchdog}); strings and typed
 * arrays are capped in length; what the context keeps between calls is measured ({@link RetainedMemory}) and a
 * context keeping more than its limit fails with {@link TransformMemoryException}. One context per instance: not
 * thread-safe.
 */
public final class JsTransform implements Transform {

    /** A transform call should take microseconds; a second means a runaway loop. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /**
     * The module's top-level code runs once, parsed and run by a cold interpreter on a possibly busy machine: more
     * room than a call, still far below a hang.
     */
    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(10);
    /** Bytes one call may allocate; generous for building a document, small next to a default heap. */
    public static final long DEFAULT_MAX_ALLOCATION = 256L * 1024 * 1024;
    /**
     * Bytes a context may keep between calls (globals, module-level variables, the builtins: about 0.1 MiB fresh): a
     * deterministic transform keeps no state, so this only stops a cache or log that grows with every row before it
     * fills the heap every mapping shares.
     */
    public static final long DEFAULT_MAX_RETAINED = 64L * 1024 * 1024;
    /** The limits {@link #load(Path, String, Map)} uses. */
    public static final Limits DEFAULT_LIMITS =
            new Limits(DEFAULT_TIMEOUT, DEFAULT_LOAD_TIMEOUT, DEFAULT_MAX_ALLOCATION, DEFAULT_MAX_RETAINED);
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

    /**
     * What one transform may use: run time per call and for the module's top-level code, bytes allocated by either,
     * and bytes kept between calls.
     */
    public record Limits(Duration timeout, Duration loadTimeout, long maxAllocation, long maxRetained) {}

    private final Context context;
    private final Value call;
    private final Value entry;
    private final String fileName;
    private final Map<String, AttributeSchema> hints;
    private final Limits limits;
    private final RetainedMemory retained;
    private final JsContextProxy ctxProxy = new JsContextProxy();
    /** Bytes the calls allocated since the retained memory was last measured; what is kept grows by no more. */
    private long allocatedSinceMeasured;
    /**
     * Whether a call ran already. The first runs on a cold interpreter (its paths not yet initialised or compiled) and
     * gets the load's allowance, as the module's top-level code does: with the call's 1 s, the first row of a backfill
     * in a 256 MB heap on a busy 2-core machine went to the DLQ as a timeout (BackfillSmallHeapIT).
     */
    private boolean warm;

    private JsTransform(
            Context context,
            Value call,
            Value entry,
            String fileName,
            Map<String, AttributeSchema> hints,
            Limits limits) {
        this.context = context;
        this.call = call;
        this.entry = entry;
        this.fileName = fileName;
        this.hints = Map.copyOf(hints);
        this.limits = limits;
        this.retained = RetainedMemory.of(context.getBindings("js"), entry);
    }

    /** Loads {@code file} and its export {@code entry} with the default limits. */
    public static JsTransform load(Path file, String entry, Map<String, AttributeSchema> hints)
            throws TransformLoadException {
        return load(file, entry, hints, DEFAULT_LIMITS);
    }

    /**
     * Loads the ES module {@code file} and checks that it exports a function {@code entry}. The determinism prelude
     * runs first; the module's top-level code runs under the time and allocation limits of a call, and what it
     * leaves behind under the retained limit.
     *
     * @param hints the migration's tp_schema, used to type returned values (float, uuid, datetime, vectors)
     * @throws TransformLoadException naming file, line and column of a syntax error, the missing export, or the
     *     limit the top-level code crossed
     */
    public static JsTransform load(Path file, String entry, Map<String, AttributeSchema> hints, Limits limits)
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
            Value call = context.eval("js", PRELUDE);
            Value exports;
            try (CallWatchdog.Call watched =
                    CallWatchdog.get().watch(context, limits.loadTimeout(), limits.maxAllocation())) {
                try {
                    exports = context.eval(source);
                } catch (PolyglotException e) {
                    String stopped = stopped(e, watched.tripped(), limits.maxAllocation(), limits.loadTimeout(), "");
                    if (stopped == null) {
                        throw e;
                    }
                    throw new TransformLoadException(List.of(name + ": the module's top-level code " + stopped
                            + " (hint: top-level code runs once when the transform loads; do the work in the"
                            + " exported function)"));
                }
            }
            Value fn = exports.getMember(entry);
            if (fn == null || !fn.canExecute()) {
                throw new TransformLoadException(
                        List.of(name + ": does not export a function named \"" + entry + "\""));
            }
            JsTransform transform = new JsTransform(context, call, fn, name, hints, limits);
            long kept = transform.retained.bytes(limits.maxRetained());
            if (kept > limits.maxRetained()) {
                throw new TransformLoadException(List.of(name + ": the module's top-level code keeps more than "
                        + mib(limits.maxRetained()) + " (hint: transforms keep no state between rows)"));
            }
            return transform;
        } catch (PolyglotException e) {
            context.close(true);
            throw new TransformLoadException(List.of(position(e, name) + e.getMessage()));
        } catch (TransformLoadException | RuntimeException e) {
            context.close(true);
            throw e;
        }
    }

    /**
     * The time a JS transform sees for {@code event}: {@code Date.now()}, {@code new Date()} and {@code
     * ctx.commitTime}. A change's commit time; 0 (1970-01-01T00:00:00Z) for a snapshot or backfill row, which has no
     * commit time of its own (the time it was read differs from run to run).
     */
    static long clock(RowEvent event) {
        return event.op() == Op.READ ? 0 : event.commitTime().toEpochMilli();
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
        Duration timeout = warm ? limits.timeout() : limits.loadTimeout();
        warm = true;
        try (CallWatchdog.Call watched = CallWatchdog.get().watch(context, timeout, limits.maxAllocation())) {
            try {
                result = call.execute(entry, JsValues.rowJson(event.after()), ctxProxy, clock(event), (int) seed);
            } catch (PolyglotException e) {
                return error(e, watched.tripped(), timeout);
            } finally {
                allocatedSinceMeasured += watched.allocated();
            }
        }
        checkRetained();
        return toAction(result, id);
    }

    /**
     * Measures what the context keeps once the calls allocated a quarter of the limit since the last measurement (it
     * cannot have grown by more than they allocated), so the walk costs a fraction of the work it checks.
     */
    private void checkRetained() {
        if (allocatedSinceMeasured < limits.maxRetained() / 4) {
            return;
        }
        allocatedSinceMeasured = 0;
        if (retained.bytes(limits.maxRetained()) > limits.maxRetained()) {
            throw new TransformMemoryException(fileName + ": the transform keeps more than " + mib(limits.maxRetained())
                    + " between calls (globals or module-level variables that grow with every row); the transform"
                    + " must not keep state between rows");
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    /** Why the watchdog stopped a run ("ran longer than 1000 ms and was stopped"), or null if it did not. */
    private static String stopped(
            PolyglotException e, String tripped, long maxAllocation, Duration timeout, String scope) {
        if (tripped == null && !e.isInterrupted() && !e.isCancelled()) {
            return null;
        }
        return "memory".equals(tripped)
                ? "allocated more than " + mib(maxAllocation) + scope + " and was stopped"
                : "ran longer than " + timeout.toMillis() + " ms and was stopped";
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
            return new Action.Error(FailureKind.TRANSFORM, fileName + ": " + e.getMessage(), "");
        }
    }

    private Action error(PolyglotException e, String tripped, Duration timeout) {
        String stopped = stopped(e, tripped, limits.maxAllocation(), timeout, " in one call");
        if (stopped != null) {
            return new Action.Error(
                    "memory".equals(tripped) ? FailureKind.MEMORY : FailureKind.TIMEOUT,
                    fileName + ": the transform " + stopped,
                    "");
        }
        if (e.isResourceExhausted()) {
            // the heap every mapping shares is full: not this row's fault, and every later row would fail the same
            throw new TransformMemoryException(
                    fileName + ": the JVM ran out of memory in the transform: " + e.getMessage());
        }
        if (e.isHostException() && e.asHostException() instanceof EmbeddingException embed) {
            return new Action.Error(FailureKind.EMBED, embed.getMessage(), "");
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
        return new Action.Error(FailureKind.TRANSFORM, position(e, fileName) + e.getMessage(), stack.toString());
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
