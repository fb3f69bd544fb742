package io.puffgres.transform;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.Value;

/**
 * Estimates the bytes a JS context keeps between calls: the JS data reachable from the global object and from the
 * entry function (whose closure holds the module's top-level variables). Community GraalJS on a stock JDK has no
 * per-context heap limit ({@code sandbox.MaxHeapMemory} is Oracle GraalVM only, and Truffle's own context heap size
 * refuses to run without a JIT-enabled runtime), so this walks the guest objects by reflection: objects of GraalJS
 * and Truffle data classes and arrays are followed; code, shapes, the realm and the engine (shared by every context,
 * not retained by this one) are not, and other objects count their shallow size only. The estimate is what the
 * transform's data costs at 8 bytes a reference and 16 a header, not a byte-exact heap measurement (an object
 * that is not followed counts its own fields only: a host string's characters, say). Call it only
 * while no JS runs in the context (between calls, on the calling thread).
 */
final class RetainedMemory {

    private static final int HEADER = 16;
    private static final int REFERENCE = 8;

    /** Shared guest-language machinery: present in every context, so not this transform's state. */
    private static final List<String> STOP = List.of(
            "com.oracle.truffle.api.nodes.Node",
            "com.oracle.truffle.api.CallTarget",
            "com.oracle.truffle.api.object.Shape",
            "com.oracle.truffle.api.source.Source",
            "com.oracle.truffle.api.frame.FrameDescriptor",
            "com.oracle.truffle.api.TruffleLanguage",
            "com.oracle.truffle.api.TruffleContext",
            "com.oracle.truffle.js.runtime.JSRealm",
            "com.oracle.truffle.js.runtime.JSContext",
            "com.oracle.truffle.js.runtime.builtins.JSFunctionData");

    private static final Map<Class<?>, Shape> SHAPES = new ConcurrentHashMap<>();

    private final Object[] roots;

    private RetainedMemory(Object[] roots) {
        this.roots = roots;
    }

    /** Measures what {@code context}'s globals and {@code entry}'s closure retain. */
    static RetainedMemory of(Value globals, Value entry) {
        return new RetainedMemory(new Object[] {receiver(globals), receiver(entry)});
    }

    /** The estimated bytes retained, or a number above {@code stopAt} as soon as the walk passes it. */
    long bytes(long stopAt) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> pending = new ArrayDeque<>();
        for (Object root : roots) {
            if (root != null && seen.add(root)) {
                pending.push(root);
            }
        }
        long total = 0;
        while (!pending.isEmpty() && total <= stopAt) {
            Object o = pending.pop();
            Class<?> type = o.getClass();
            if (type.isArray()) {
                total += array(o, type, seen, pending);
                continue;
            }
            Shape shape = SHAPES.computeIfAbsent(type, RetainedMemory::shapeOf);
            total += shape.bytes;
            for (Field f : shape.references) {
                Object child;
                try {
                    child = f.get(o);
                } catch (IllegalAccessException e) {
                    continue;
                }
                if (child != null && seen.add(child)) {
                    pending.push(child);
                }
            }
        }
        return total;
    }

    private static long array(Object o, Class<?> type, Set<Object> seen, Deque<Object> pending) {
        int length = Array.getLength(o);
        Class<?> component = type.getComponentType();
        if (component.isPrimitive()) {
            return HEADER + (long) length * primitiveSize(component);
        }
        for (Object child : (Object[]) o) {
            if (child != null && seen.add(child)) {
                pending.push(child);
            }
        }
        return HEADER + (long) length * REFERENCE;
    }

    /** How an object of a class is measured: its shallow size and, for guest data, the reference fields to follow. */
    private record Shape(long bytes, List<Field> references) {}

    private static Shape shapeOf(Class<?> type) {
        String name = type.getName();
        boolean data = name.startsWith("com.oracle.truffle.") && !name.startsWith("com.oracle.truffle.polyglot.");
        for (Class<?> c = type; c != null && data; c = c.getSuperclass()) {
            if (STOP.contains(c.getName())) {
                data = false;
            }
            for (Class<?> i : c.getInterfaces()) {
                if (STOP.contains(i.getName())) {
                    data = false;
                }
            }
        }
        long bytes = HEADER;
        List<Field> references = new ArrayList<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                bytes += t.isPrimitive() ? primitiveSize(t) : REFERENCE;
                if (data && !t.isPrimitive() && f.trySetAccessible()) {
                    references.add(f);
                }
            }
        }
        return new Shape(bytes, List.copyOf(references));
    }

    private static int primitiveSize(Class<?> t) {
        if (t == long.class || t == double.class) {
            return 8;
        }
        if (t == int.class || t == float.class) {
            return 4;
        }
        if (t == short.class || t == char.class) {
            return 2;
        }
        return 1;
    }

    /** The guest object behind a polyglot value (a field of the polyglot API, reachable on the class path). */
    private static Object receiver(Value value) {
        try {
            Field f = value.getClass().getSuperclass().getDeclaredField("receiver");
            f.setAccessible(true);
            return f.get(value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot measure a JS context's memory: " + e, e);
        }
    }
}
