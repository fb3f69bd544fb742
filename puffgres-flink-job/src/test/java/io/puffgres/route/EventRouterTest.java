package io.puffgres.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class EventRouterTest {

    @Test
    void truncateKeysReachEveryWriterSubtaskOnce() {
        for (int parallelism = 1; parallelism <= 16; parallelism++) {
            List<String> keys = EventRouter.truncateKeys(parallelism);
            assertThat(keys).hasSize(parallelism);
            for (int subtask = 0; subtask < parallelism; subtask++) {
                assertThat(KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                keys.get(subtask), EventRouter.MAX_PARALLELISM, parallelism))
                        .isEqualTo(subtask);
            }
        }
    }
}
