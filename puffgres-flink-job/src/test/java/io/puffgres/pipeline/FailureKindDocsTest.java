package io.puffgres.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.transform.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/job.md lists exactly the DLQ's error kinds the code has, in the enum's order. */
class FailureKindDocsTest {

    private static final Pattern KIND = Pattern.compile("^- `([a-z_]+)` — ");

    @Test
    void theDlqSectionOfJobMdListsEveryFailureKind() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "docs", "job.md"));
        int section = lines.indexOf("## The DLQ");
        assertThat(section).as("docs/job.md has a section \"## The DLQ\"").isNotNegative();
        List<String> documented = new ArrayList<>();
        for (String line : lines.subList(section + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher m = KIND.matcher(line);
            if (m.find()) {
                documented.add(m.group(1));
            }
        }
        assertThat(documented)
                .containsExactlyElementsOf(Arrays.stream(FailureKind.values())
                        .map(FailureKind::word)
                        .toList());
    }
}
