package io.puffgres.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperatorMappingTest {

    private static Optional<OperatorMapping> mapping(String name, String version) {
        return Optional.of(new OperatorMapping(name, Optional.ofNullable(version)));
    }

    @Test
    void readsTheMappingOfEachStageOfTheJob() {
        assertThat(OperatorMapping.ofOperator("orders: route")).isEqualTo(mapping("orders", null));
        assertThat(OperatorMapping.ofOperator("orders: lookup")).isEqualTo(mapping("orders", null));
        assertThat(OperatorMapping.ofOperator("orders: apply + write")).isEqualTo(mapping("orders", null));
        assertThat(OperatorMapping.ofOperator("Source: orders: fill")).isEqualTo(mapping("orders", null));
        assertThat(OperatorMapping.ofOperator("orders: fill")).isEqualTo(mapping("orders", null));
    }

    @Test
    void anOlderVersionRunBesideTheNewestCarriesItsVersion() {
        assertThat(OperatorMapping.ofOperator("orders@v3: apply + write")).isEqualTo(mapping("orders", "3"));
        assertThat(OperatorMapping.ofOperator("Source: order_items@v12: fill")).isEqualTo(mapping("order_items", "12"));
    }

    @Test
    void operatorsOfNoMappingHaveNone() {
        assertThat(OperatorMapping.ofOperator("Source: postgres cdc")).isEmpty();
        assertThat(OperatorMapping.ofOperator("dlq: postgres")).isEmpty();
        assertThat(OperatorMapping.ofOperator("dlq: postgres: Writer")).isEmpty();
        assertThat(OperatorMapping.ofOperator("orders: something else")).isEmpty();
        assertThat(OperatorMapping.ofOperator("orders: apply + write -> x")).isEmpty();
    }

    @Test
    void aChainedTaskHasTheMappingItsOperatorsShare() {
        assertThat(OperatorMapping.ofTask("Source: postgres cdc -> orders: route -> orders: lookup"))
                .isEqualTo(mapping("orders", null));
        assertThat(OperatorMapping.ofTask("orders@v2: apply + write")).isEqualTo(mapping("orders", "2"));
    }

    @Test
    void aTaskOfSeveralMappingsOrVersionsHasNoneRatherThanAGuess() {
        assertThat(OperatorMapping.ofTask("Source: postgres cdc -> (orders: route, items: route)"))
                .isEmpty();
        assertThat(OperatorMapping.ofTask("orders: route -> orders@v1: route")).isEmpty();
        assertThat(OperatorMapping.ofTask("Source: postgres cdc")).isEmpty();
    }
}
