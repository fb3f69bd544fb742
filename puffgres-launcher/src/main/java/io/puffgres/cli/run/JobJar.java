package io.puffgres.cli.run;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The job jar a remote run uploads to the Flink cluster: {@code job/puffgres-job.jar} beside the launcher's jar (or
 * beside its classes directory in a build tree), which the launcher's build copies from puffgres-flink-job's
 * {@code cluster} jar.
 */
final class JobJar {

    /** Its path relative to the directory holding the launcher's jar. */
    static final String RELATIVE = "job/puffgres-job.jar";

    private JobJar() {}

    /** The job jar; exit 1 with how to build it when it is missing. */
    static Path locate() {
        Path jar;
        try {
            Path self = Path.of(JobJar.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            jar = self.getParent().resolve(RELATIVE);
        } catch (URISyntaxException | SecurityException e) {
            throw new CliException(ExitCode.RUNTIME, "cannot tell where puffgres is installed: " + e, BUILD);
        }
        if (!Files.isRegularFile(jar)) {
            throw new CliException(ExitCode.RUNTIME, "the job jar " + jar + " is missing", BUILD);
        }
        return jar;
    }

    private static final String BUILD =
            "build it with mvn -B -ntp package -DskipTests (puffgres-launcher/target/" + RELATIVE + ")";
}
