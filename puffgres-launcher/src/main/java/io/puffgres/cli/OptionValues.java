package io.puffgres.cli;

import io.puffgres.config.ProjectConfig;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters that check an option's value while picocli parses the command line, so a bad value is a usage error
 * (exit 2) naming the option and the accepted values, before anything runs.
 */
public final class OptionValues {

    /** Postgres's text form of a WAL position: two hexadecimal numbers of up to 8 digits each, e.g. 0/1A2B3C4D. */
    private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    private static final int MAX_PORT = 65_535;

    private OptionValues() {}

    /** {@code --web-ui-port}: 1..65535, 0 for a free port, -1 for no web UI. */
    public static final class WebUiPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, -1, MAX_PORT, "a port (1-65535), 0 for a free port or -1 for no web UI");
        }
    }

    /** A port to listen on: 1..65535, 0 for a free port. */
    public static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 0, MAX_PORT, "a port (1-65535) or 0 for a free port");
        }
    }

    /** A number of things to show: 1 or more. */
    public static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 1, Integer.MAX_VALUE, "a number of 1 or more");
        }
    }

    /** A WAL position in Postgres's text form (see {@link #LSN}), returned as given. */
    public static final class Lsn implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!LSN.matcher(value).matches()) {
                throw new TypeConversionException("'" + value + "' is not a WAL position; it must look like"
                        + " 0/1A2B3C4D (two hexadecimal numbers, as pg_current_wal_lsn() shows them)");
            }
            return value;
        }
    }

    /** {@code --plugin}: one of the two logical decoding plugins puffgres reads. */
    public static final class DecodingPlugin implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!value.equals("pgoutput") && !value.equals("wal2json")) {
                throw new TypeConversionException("'" + value + "' must be pgoutput or wal2json");
            }
            return value;
        }
    }

    /** {@code --target}: where {@code run} runs the job. */
    public static final class Target implements ITypeConverter<ProjectConfig.Flink.Mode> {
        @Override
        public ProjectConfig.Flink.Mode convert(String value) {
            return switch (value) {
                case "embedded" -> ProjectConfig.Flink.Mode.EMBEDDED;
                case "remote" -> ProjectConfig.Flink.Mode.REMOTE;
                default -> throw new TypeConversionException("'" + value + "' must be embedded or remote");
            };
        }
    }

    private static int integer(String value, int min, int max, String expected) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below like a number out of range
        }
        throw new TypeConversionException("'" + value + "' must be " + expected);
    }
}
