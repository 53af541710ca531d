package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.ForkedJvm;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Vector API activation or derivative over a run shorter than one vector makes no vector, so it
 * allocates nothing even before C2 has compiled it: softmax over 10 outputs calls
 * {@code expShifted} once a sample on such a run, and its broadcast constants, real objects until
 * C2 compiles the method, were issue 14's intermittent 3,072,000 bytes per 100 steps of
 * {@link CpuBackendTest}'s allocation check on a loaded machine. Checked in a JVM forked with
 * {@code -Xint} (nothing is ever compiled), where one whole vector must allocate (the control that
 * the measurement sees vector objects at all).
 */
class SubVectorRunsAllocateNothingTest {

    @Test
    void runsShorterThanAVectorAllocateNothingWhenInterpreted() throws IOException, InterruptedException {
        List<String> lines = fork();
        String header = lines.get(0);
        assertTrue(header.startsWith("implementations VectorTranscendentals VectorDerivatives lanes "), header);
        int lanes = Integer.parseInt(header.substring(header.lastIndexOf(' ') + 1));
        int checked = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(" ");
            int count = Integer.parseInt(fields[1]);
            long bytes = Long.parseLong(fields[2]);
            if (count < lanes) {
                assertEquals(0, bytes, fields[0] + " over " + count + " of " + lanes + " lanes, 100 interpreted calls");
            } else {
                assertTrue(bytes > 0, fields[0] + " over a whole vector allocates nothing interpreted: the check sees nothing");
            }
            checked++;
        }
        assertEquals(15, checked, String.join("\n", lines));
    }

    private static List<String> fork() throws IOException, InterruptedException {
        return ForkedJvm.lines(SubVectorRuns.class, 120, "-Xint");
    }
}
