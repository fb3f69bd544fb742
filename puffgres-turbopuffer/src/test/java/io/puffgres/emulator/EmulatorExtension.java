package io.puffgres.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension running an in-memory emulator on a free port for a test class; faults and namespaces are
 * reset before each test. Test code only: the other modules' tests get it from this module's test jar
 * ({@code <type>test-jar</type>}).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmulatorExtension tpuf = new EmulatorExtension();
 * ... tpuf.baseUrl() ... tpuf.emulator().faults().enqueue(Fault.throttle(1)) ...
 * }</pre>
 */
public final class EmulatorExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private Emulator emulator;

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            emulator = Emulator.start(0, null);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the turbopuffer emulator", e);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        emulator.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        emulator.close();
    }

    public Emulator emulator() {
        return emulator;
    }

    public String baseUrl() {
        return emulator.baseUrl();
    }
}
