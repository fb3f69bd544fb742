package io.puffgres.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The parsed arguments of {@code dev/cluster}.
 *
 * @param command {@code start}, {@code start-taskmanager}, {@code status} or {@code stop}
 * @param home the cluster's working directory
 * @param taskManagers how many TaskManagers {@code start} starts
 * @param restPort the REST port {@code start} sets, if not the configuration's
 * @param rpcPort the JobManager's RPC port {@code start} sets, if not the configuration's
 */
record ClusterCommandLine(
        String command, Path home, int taskManagers, Optional<Integer> restPort, Optional<Integer> rpcPort) {

    static final String USAGE = "usage: dev/cluster start [--taskmanagers N] [--rest-port P] [--rpc-port P]"
            + " | start-taskmanager | status | stop   [--home DIR]";

    private static final List<String> COMMANDS = List.of("start", "start-taskmanager", "status", "stop");

    /** @throws IllegalArgumentException naming the first argument that is wrong */
    static ClusterCommandLine parse(String[] args) {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            throw new IllegalArgumentException(args.length == 0 ? "no command given" : "unknown command " + args[0]);
        }
        String command = args[0];
        String envHome = System.getenv("PUFFGRES_CLUSTER_HOME");
        Path home = envHome == null || envHome.isBlank() ? DevCluster.DEFAULT_HOME : Path.of(envHome);
        int taskManagers = 1;
        Optional<Integer> restPort = Optional.empty();
        Optional<Integer> rpcPort = Optional.empty();
        for (int i = 1; i < args.length; i += 2) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[i + 1];
            boolean startOnly = !option.equals("--home");
            if (startOnly && !command.equals("start")) {
                throw new IllegalArgumentException(option + " is an option of start only");
            }
            switch (option) {
                case "--home" -> home = Path.of(value);
                case "--taskmanagers" -> taskManagers = number(option, value, 1, 16);
                case "--rest-port" -> restPort = Optional.of(number(option, value, 1, 65535));
                case "--rpc-port" -> rpcPort = Optional.of(number(option, value, 1, 65535));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new ClusterCommandLine(command, home, taskManagers, restPort, rpcPort);
    }

    private static int number(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                option + " must be a number from " + min + " to " + max + " (got " + value + ")");
    }
}
