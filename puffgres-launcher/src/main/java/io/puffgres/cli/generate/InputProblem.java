package io.puffgres.cli.generate;

/**
 * Why a typed answer is not accepted.
 *
 * @param column the 1-based position in the answer the problem points at, 0 when it has none
 */
record InputProblem(String message, int column) {

    static InputProblem of(String message) {
        return new InputProblem(message, 0);
    }
}
